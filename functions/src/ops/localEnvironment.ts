import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root: this file runs from functions/lib/ops (or functions/src/ops in tests). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
export const EMULATED_PROJECT = 'demo-habits';

/** KEY=value lines, values optionally in double quotes with `\n` escapes (the dotenv subset used here). */
export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const entries: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    const raw = match[2];
    entries[match[1]] =
      raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1).replace(/\\n/g, '\n') : raw;
  }
  return entries;
}

/**
 * What the emulated functions see: functions/.env.demo-habits, then .env.local (written by the
 * test harness), then the secrets scripts/emulators.mjs generates in functions/.secret.local.
 */
export function emulatedFunctionsEnv(): Record<string, string> {
  const dir = join(REPO_ROOT, 'functions');
  return {
    ...readEnvFile(join(dir, `.env.${EMULATED_PROJECT}`)),
    ...readEnvFile(join(dir, '.env.local')),
    ...readEnvFile(join(dir, '.secret.local')),
  };
}

export type EmulatorName = 'firestore' | 'pubsub' | 'auth' | 'functions' | 'tasks';

/**
 * host:port of an emulator: the SDKs' own variable (FIRESTORE_EMULATOR_HOST, ...) when set,
 * otherwise firebase.json, the file the emulators start from.
 */
export function emulatorAddress(name: EmulatorName): string {
  const fromEnv = process.env[`${name.toUpperCase()}_EMULATOR_HOST`];
  if (fromEnv) return fromEnv;
  const config = JSON.parse(readFileSync(join(REPO_ROOT, 'firebase.json'), 'utf8')) as {
    emulators: Record<string, { host: string; port: number }>;
  };
  const { host, port } = config.emulators[name];
  return `${host}:${port}`;
}
