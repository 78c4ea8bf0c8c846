import {
  completionDeleteSchema,
  completionListSchema,
  completionLogSchema,
} from '../domain/completion';
import { callable } from './callable';
import { functionsApp as deps } from '../app';

export const completionsApi = {
  log: callable('completions-log', completionLogSchema, ({ uid, data }) =>
    deps.habits().logCompletion(uid, data),
  ),
  delete: callable('completions-delete', completionDeleteSchema, ({ uid, data }) =>
    deps.habits().deleteCompletion(uid, data),
  ),
  list: callable('completions-list', completionListSchema, async ({ uid, data }) => {
    const completions = await deps.habits().listCompletions(uid, data);
    const { source, partial } = completions as { source?: 'legacy'; partial?: true };
    return {
      completions: Array.from(completions),
      ...(source && { source }),
      ...(partial && { partial }),
    };
  }),
};
