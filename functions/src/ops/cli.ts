/** The operators' command line; scripts/ops.mjs (`npm run ops`) is its entry point. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { backfillMessages, catchUpMessages, publishBackfill } from './commands/backfillCommand';
import { flags } from './commands/flagsCommand';
import { flagsSet } from './commands/flagsSetCommand';
import { rolloutBack, rolloutNext, rolloutStatus } from './commands/rolloutCommand';
import { outbox } from './commands/outboxCommand';
import { status } from './commands/statusCommand';
import { stats } from './commands/statsCommand';
import { verify } from './commands/verifyCommand';
import { config } from '../config';
import { LegacyStoreError } from '../data/legacy/legacyErrors';
import { outboxStatuses } from '../data/outbox/outboxEntry';
import type { BackfillMessage } from '../domain/backfillMessages';
import { writeBackfillRequest } from './backfillRequestNote';
import { backfillRequest, DEFAULT_GRACE_SECONDS } from './backfillWait';
import { connect, EXIT, type OpsContext, OpsError } from './opsContext';
import type { EmulatorName } from './localEnvironment';

const print = (line: string) => process.stdout.write(`${line}\n`);

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0');
  return n;
}

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number, 0 or more');
  return n;
}

function instant(value: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new InvalidArgumentError('expected an ISO time');
  return at;
}

function positiveInteger(value: string): number {
  const n = positiveNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** The window of telemetry the rollout gates judge. */
const telemetrySince = () =>
  new Option(
    '--since <time>',
    'telemetry from this ISO time (default: the last 24 hours)',
  ).argParser(instant);

/** Runs `work` against the target project, and always lets go of it. */
async function withContext<T>(
  program: Command,
  needs: EmulatorName[],
  work: (ctx: OpsContext) => Promise<T>,
): Promise<T> {
  const ctx = await connect(program.opts<{ project?: string }>().project, needs);
  try {
    return await work(ctx);
  } finally {
    await ctx.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('ops')
    .description('Operate the CloudKit-to-Firestore migration (docs/operations.md)')
    .option(
      '--project <id>',
      'Firebase project; a demo- id means the local emulators',
      'demo-habits',
    )
    .showHelpAfterError()
    .exitOverride();

  program
    .command('backfill')
    .description('start a backfill: publish to the migration-backfill topic')
    .option('--uid <uid>', 'one user')
    .option('--uids-file <file>', 'users listed one per line (sent 500 per message)')
    .option('--all', 'every legacy user inside the rollout percentage (all of them with --force)')
    .option('--force', 're-run users whose migration completed', false)
    .option('--dry-run', 'map and count only; writes nothing but the dry-run state', false)
    .action(async (options) => {
      const messages = backfillMessages(options);
      await withContext(program, ['pubsub'], async (ctx) => {
        // Read before the first message goes out: whatever the request causes comes after it.
        const requestedAt = new Date();
        const published: { message: BackfillMessage; id: string }[] = [];
        try {
          // Each as it goes out: if a later one fails, the operator knows which were sent.
          await publishBackfill(ctx.projectId, messages, (message, id) => {
            print(`published ${JSON.stringify(message)} as ${id}`);
            published.push({ message, id });
          });
        } finally {
          if (published.length > 0) noteRequest(ctx.projectId, requestedAt, options, published);
        }
      });
    });

  program
    .command('catchup')
    .description(
      "bring CloudKit's later changes over for migrated users: publish a catch-up message",
    )
    .option('--uid <uid>', 'one user')
    .option('--uids-file <file>', 'users listed one per line (sent 500 per message)')
    .option('--all', 'every migrated user')
    .action(async (options) => {
      const messages = catchUpMessages(options);
      await withContext(program, ['pubsub'], async (ctx) => {
        await publishBackfill(ctx.projectId, messages, (message, id) =>
          print(`published ${JSON.stringify(message)} as ${id}`),
        );
      });
    });

  program
    .command('status')
    .description("users per migration status, or one user's state with --uid")
    .option('--uid <uid>', 'one user')
    .option('--watch', 'refresh until no run is queued or running (one user: until it finishes)')
    .option('--dry-run', "with --uid: the dry run's state")
    .addOption(
      new Option('--interval <seconds>', 'between refreshes').default(2).argParser(positiveNumber),
    )
    .addOption(
      new Option('--timeout <seconds>', 'stop watching (exit 1)').argParser(positiveNumber),
    )
    .addOption(
      new Option(
        '--grace <seconds>',
        'with --watch right after ops backfill: wait this long for its runs to be queued (0: not at all)',
      )
        .default(DEFAULT_GRACE_SECONDS)
        .argParser(nonNegativeNumber),
    )
    .option('--json', 'machine-readable output')
    .addOption(
      new Option(
        '--caught-up-before <time>',
        'count as overdue the followed users not caught up since this ISO time (cutover check)',
      ).argParser(instant),
    )
    .action(async (options) => {
      await withContext(program, ['firestore'], (ctx) => status(ctx, options, print));
    });

  program
    .command('stats')
    .description(
      'check the migration statistics counters against a recount of every state (exit 1 if they differ)',
    )
    .option('--rebuild', 'replace the counters with the recount (run while no backfill is running)')
    .option('--json', 'machine-readable output')
    .action(async (options) => {
      process.exitCode = await withContext(program, ['firestore'], (ctx) =>
        stats(ctx, options, print),
      );
    });

  program
    .command('verify')
    .description('compare legacy and Firestore data record by record (exit 1 if they differ)')
    .option('--uid <uid>', 'one user')
    .addOption(new Option('--sample <n>', 'n random migrated users').argParser(positiveInteger))
    .option('--continuous', 'one pass of continuous verification now: recorded, totals printed')
    .option('--json', 'machine-readable output')
    .action(async (options) => {
      process.exitCode = await withContext(program, ['firestore'], (ctx) =>
        verify(ctx, options, print),
      );
    });

  program
    .command('outbox')
    .description(
      "undelivered CloudKit writes per user, or one user's entries (exit 1 if any failed)",
    )
    .option('--uid <uid>', 'one user')
    .addOption(
      new Option('--status <status>', 'only entries with this status').choices(outboxStatuses),
    )
    .addOption(
      new Option('--limit <n>', 'entries scanned at most, oldest first')
        .default(config.ops.outboxScanLimit)
        .argParser(positiveInteger),
    )
    .option('--json', 'machine-readable output')
    .action(async (options) => {
      process.exitCode = await withContext(program, ['firestore'], (ctx) =>
        outbox(ctx, options, print),
      );
    });

  const flagsCommand = program
    .command('flags')
    .description('the flags in force, where each value came from, and the rollout stage they make')
    .option('--uid <uid>', 'as evaluated for this user (and whether they are in the rollout)')
    .option('--json', 'machine-readable output')
    .action(async (options) => {
      await withContext(program, [], (ctx) => flags(ctx, options, print));
    });

  flagsCommand
    .command('set')
    .description(
      'publish flag values, e.g. `flags set dualWriteEnabled=false` (docs/operations.md §4); a bad value publishes nothing',
    )
    .argument('<name=value...>', 'flags and their values')
    .option('--reason <text>', "the template version's description, after the command")
    .action(async (assignments: string[], options: { reason?: string }) => {
      await withContext(program, [], (ctx) => flagsSet(ctx, assignments, options, print));
    });

  const rollout = program
    .command('rollout')
    .description('the rollout stage in force, its gates, and moving between stages (§3)');

  rollout
    .command('status')
    .description('the stage in force and each gate that must pass to leave it')
    .addOption(telemetrySince())
    .option('--json', 'machine-readable output')
    .action(async (options) => {
      process.exitCode = await withContext(program, ['firestore'], (ctx) =>
        rolloutStatus(ctx, options, print),
      );
    });

  rollout
    .command('next')
    .description('publish the next stage if every gate passes (exit 1 naming those that fail)')
    .option('--force', 'publish even though gates fail (they are printed and logged)')
    .addOption(telemetrySince())
    .option('--json', 'machine-readable output')
    .action(async (options) => {
      process.exitCode = await withContext(program, ['firestore'], (ctx) =>
        rolloutNext(ctx, options, print),
      );
    });

  rollout
    .command('back')
    .description("publish the previous stage's flags (no gates)")
    .option('--json', 'machine-readable output')
    .action(async (options) => {
      process.exitCode = await withContext(program, [], (ctx) => rolloutBack(ctx, options, print));
    });

  return program;
}

/** For `status --watch` (backfillWait.ts); the messages went out, so a failure here only warns. */
function noteRequest(
  projectId: string,
  requestedAt: Date,
  options: { force: boolean; dryRun: boolean },
  published: { message: BackfillMessage; id: string }[],
) {
  try {
    writeBackfillRequest(backfillRequest(projectId, requestedAt, options, published));
  } catch (error) {
    process.stderr.write(
      `ops: cannot note the request for status --watch: ${(error as Error).message}\n`,
    );
  }
}

/** gRPC UNAVAILABLE, or a refused connection: the project (or an emulator) cannot be reached. */
function unreachable(error: unknown): boolean {
  const { code, cause } = error as { code?: unknown; cause?: { code?: unknown } };
  return code === 14 || code === 'ECONNREFUSED' || cause?.code === 'ECONNREFUSED';
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof OpsError) {
      process.stderr.write(`ops: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof LegacyStoreError && error.retryable) {
      process.stderr.write(`ops: cannot reach CloudKit: ${error.message}\n`);
      return EXIT.unreachable;
    }
    if (unreachable(error)) {
      process.stderr.write(`ops: cannot reach the project: ${(error as Error).message}\n`);
      return EXIT.unreachable;
    }
    process.stderr.write(`ops: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.problem;
  }
}
