import { migrationMode } from '../../../functions/src/domain/migrationMode';
import type { MigrationStatus } from '../../../functions/src/domain/migrationState';

const on = {
  dualWriteEnabled: true,
  legacyReadFallbackEnabled: true,
  forceMigrationComplete: false,
};

describe('migrationMode: what a request does with the legacy store', () => {
  it.each<[string, typeof on, MigrationStatus, { dualWrite: boolean; legacyFallback: boolean }]>([
    ['migration running', on, 'running', { dualWrite: true, legacyFallback: true }],
    ['not started', on, 'not_started', { dualWrite: true, legacyFallback: true }],
    ['awaiting link', on, 'awaiting_link', { dualWrite: true, legacyFallback: true }],
    [
      'migrated: dual-write goes on, fallback stops',
      on,
      'completed',
      { dualWrite: true, legacyFallback: false },
    ],
    [
      'migrated with errors',
      on,
      'completed_with_errors',
      { dualWrite: true, legacyFallback: false },
    ],
    [
      'dual-write off',
      { ...on, dualWriteEnabled: false },
      'running',
      { dualWrite: false, legacyFallback: true },
    ],
    [
      'fallback off',
      { ...on, legacyReadFallbackEnabled: false },
      'running',
      { dualWrite: true, legacyFallback: false },
    ],
    [
      'forced complete beats everything',
      { ...on, forceMigrationComplete: true },
      'running',
      { dualWrite: false, legacyFallback: false },
    ],
  ])('%s', (_case, flags, status, expected) => {
    expect(migrationMode(flags, status)).toEqual(expected);
  });
});
