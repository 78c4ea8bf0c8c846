import { callable, noInputSchema } from './callable';
import * as deps from './dependencies';

export const migrationApi = {
  status: callable('migration-status', noInputSchema, ({ uid }) => deps.migrations().get(uid)),
};
