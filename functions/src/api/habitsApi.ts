import {
  habitCreateSchema,
  habitIdInputSchema,
  habitListSchema,
  habitUpdateSchema,
} from '../domain/habit';
import { callable } from './callable';
import { functionsApp as deps } from '../app';

export const habitsApi = {
  create: callable('habits-create', habitCreateSchema, ({ uid, data }) =>
    deps.habits().createHabit(uid, data),
  ),
  update: callable('habits-update', habitUpdateSchema, ({ uid, data }) =>
    deps.habits().updateHabit(uid, data),
  ),
  delete: callable('habits-delete', habitIdInputSchema, async ({ uid, data }) => {
    await deps.habits().deleteHabit(uid, data.id);
    return { id: data.id, deleted: true as const };
  }),
  get: callable('habits-get', habitIdInputSchema, ({ uid, data }) =>
    deps.habits().getHabit(uid, data.id),
  ),
  list: callable('habits-list', habitListSchema, ({ uid, data }) =>
    deps.habits().listHabits(uid, data),
  ),
};
