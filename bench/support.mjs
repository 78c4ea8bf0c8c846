// What the benches share: quiet functions logs, the built functions, the emulator check, and the
// old app's entities (mapped to CloudKit's form by the production mappers in each bench).
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The functions log a JSON line per event: the tables are a bench's only output. */
export function quietConsole() {
  const out = console.log;
  for (const level of ['log', 'info', 'debug', 'warn']) console[level] = () => undefined;
  return out;
}

/** A module of the built functions (`npm run build`). */
export const lib = (path) => require(`../functions/lib/${path}.js`);

export function requireFirestoreEmulator(command) {
  if (process.env.FIRESTORE_EMULATOR_HOST) return;
  process.stderr.write(`run it with \`${command}\` (it needs the Firestore emulator)\n`);
  process.exit(2);
}

export function habitEntity(id, { name = 'Read', updatedAt = '2023-01-01T08:00:00.000Z' } = {}) {
  return {
    id,
    name,
    schedule: { type: 'daily' },
    targetPerDay: 1,
    archived: false,
    createdAt: '2023-01-01T08:00:00.000Z',
    updatedAt,
    version: 1,
  };
}

export function completionEntity(habitId, date) {
  const at = `${date}T20:00:00.000Z`;
  return {
    id: `${habitId}_${date}`,
    habitId,
    date,
    count: 1,
    completedAt: at,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

export function xpEntity(completionId, occurredAt) {
  return { id: randomUUID(), delta: 10, reason: 'completion', completionId, occurredAt };
}
