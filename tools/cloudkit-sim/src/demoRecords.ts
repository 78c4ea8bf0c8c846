import type { Rng } from './prng';
import { hex } from './prng';
import type { CkFieldValue, CkRecord } from './types';

/** CloudKit JSON builders for the demo data, in Core Data mirroring's field conventions. */

export const str = (value: string): CkFieldValue => ({ value, type: 'STRING' });
export const int64 = (value: number): CkFieldValue => ({ value, type: 'INT64' });
export const timestamp = (ms: number): CkFieldValue => ({ value: ms, type: 'TIMESTAMP' });

export interface RecordMeta {
  rng: Rng;
  userRecordName: string;
  deviceID: string;
}

export function demoRecord(
  meta: RecordMeta,
  recordType: string,
  recordName: string,
  fields: Record<string, CkFieldValue | undefined>,
  createdMs: number,
  modifiedMs: number,
): CkRecord {
  const present = Object.entries(fields).filter(
    (e): e is [string, CkFieldValue] => e[1] !== undefined,
  );
  const stamp = (timestamp: number) => ({
    timestamp,
    userRecordName: meta.userRecordName,
    deviceID: meta.deviceID,
  });
  return {
    recordName,
    recordType,
    recordChangeTag: hex(meta.rng, 8),
    fields: Object.fromEntries(present),
    created: stamp(createdMs),
    modified: stamp(modifiedMs),
  };
}
