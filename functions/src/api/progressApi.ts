import { callable, noInputSchema } from './callable';
import { functionsApp as deps } from '../app';

export const progressApi = {
  get: callable('progress-get', noInputSchema, ({ uid }) => deps.habits().getProgress(uid)),
};
