import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfillMessages } from '../../../functions/src/ops/commands/backfillCommand';
import { readEnvFile } from '../../../functions/src/ops/localEnvironment';
import { EXIT, OpsError } from '../../../functions/src/ops/opsContext';

function fileWith(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ops-unit-')), 'input');
  writeFileSync(file, text);
  return file;
}

function usageError(run: () => unknown): OpsError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OpsError);
    expect((error as OpsError).exitCode).toBe(EXIT.usage);
    return error as OpsError;
  }
  throw new Error('expected a usage error');
}

describe('ops backfill: the messages an operator’s options stand for', () => {
  it.each([
    [{ uid: 'u1' }, [{ type: 'user', uid: 'u1', force: false, dryRun: false }]],
    [{ all: true, force: true }, [{ type: 'all', force: true, dryRun: false }]],
    [{ uid: 'u1', dryRun: true }, [{ type: 'user', uid: 'u1', force: false, dryRun: true }]],
  ])('%j becomes %j', (options, expected) => {
    expect(backfillMessages(options)).toEqual(expected);
  });

  it('reads a uids file, skipping blanks, comments and repeats, 500 uids per message', () => {
    const uids = Array.from({ length: 1_001 }, (_, i) => `user-${i}`);
    const file = fileWith(`# batch 1\n\n${uids.join('\n')}\nuser-0\n`);

    const messages = backfillMessages({ uidsFile: file });

    expect(messages.map((m) => m.type)).toEqual(['users', 'users', 'users']);
    expect(messages.flatMap((m) => (m.type === 'users' ? m.uids : []))).toEqual(uids);
  });

  it.each([
    [{}, /exactly one of/],
    [{ uid: 'a', all: true }, /exactly one of/],
    [{ uid: '' }, /uid:/],
    [{ uid: 'a/b' }, /uid: must not contain/],
    [{ uidsFile: '/nonexistent/file' }, /cannot read/],
  ])('refuses %j as a usage error', (options, message) => {
    expect(usageError(() => backfillMessages(options)).message).toMatch(message);
  });

  it('refuses a uids file that lists nobody', () => {
    expect(
      usageError(() => backfillMessages({ uidsFile: fileWith('# none\n\n') })).message,
    ).toMatch(/lists no uids/);
  });
});

describe('readEnvFile', () => {
  it('reads KEY=value lines, unquoting values and their \\n escapes', () => {
    const file = fileWith('A=1\nB="line one\\nline two"\n# comment\nnot a line\nC=\n');
    expect(readEnvFile(file)).toEqual({ A: '1', B: 'line one\nline two', C: '' });
  });

  it('is empty for a file that does not exist', () => {
    expect(readEnvFile('/nonexistent/.env')).toEqual({});
  });
});
