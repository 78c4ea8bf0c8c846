#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator } from './server';
import type { SimulatorOptions } from './types';

const USAGE = `usage: node tools/cloudkit-sim/dist/cli.js [--port 4010] [--host 127.0.0.1] [--data FILE]
  [--users N --days D [--seed S]] [--token-mode reusable|rotating] [--token-ttl-ms MS]
  [--container ID] [--api-token TOKEN] [--server-key-id ID --server-public-key-file PEM]`;

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
}

function optionsFrom(argv: string[]): SimulatorOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      users: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      'token-mode': { type: 'string' },
      'token-ttl-ms': { type: 'string' },
      container: { type: 'string' },
      'api-token': { type: 'string' },
      'server-key-id': { type: 'string' },
      'server-public-key-file': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const mode = values['token-mode'];
  if (mode !== undefined && mode !== 'reusable' && mode !== 'rotating') {
    throw new Error('--token-mode must be reusable or rotating');
  }
  const keyId = values['server-key-id'];
  const keyFile = values['server-public-key-file'];
  if ((keyId === undefined) !== (keyFile === undefined)) {
    throw new Error('--server-key-id and --server-public-key-file go together');
  }
  const users = integer('users', values.users);
  return {
    port: integer('port', values.port),
    host: values.host,
    dataFile: values.data,
    container: values.container,
    apiToken: values['api-token'],
    tokenMode: mode,
    tokenTtlMs: integer('token-ttl-ms', values['token-ttl-ms']),
    serverKeys:
      keyId && keyFile ? [{ keyId, publicKeyPem: readFileSync(keyFile, 'utf8') }] : undefined,
    seed:
      users === undefined
        ? undefined
        : { users, days: integer('days', values.days) ?? 30, seed: integer('seed', values.seed) },
  };
}

async function main(): Promise<void> {
  let options: SimulatorOptions;
  try {
    options = optionsFrom(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const sim = await startSimulator(options);
  process.stdout.write(`CloudKit simulator listening at ${sim.url}\n`);
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`cloudkit-sim: ${String(err)}\n`);
  process.exit(1);
});
