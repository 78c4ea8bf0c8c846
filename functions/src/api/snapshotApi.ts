import { z } from 'zod';
import { callable } from './callable';
import { functionsApp as deps } from '../app';

const snapshotInputSchema = z.strictObject({
  /** The `version` of the snapshot the app holds: equal to the current one, nothing is sent. */
  sinceVersion: z.number().int().min(0).optional(),
});

export const snapshotApi = {
  get: callable('snapshot-get', snapshotInputSchema, ({ uid, data }) =>
    deps.snapshots().get(uid, data.sinceVersion),
  ),
};
