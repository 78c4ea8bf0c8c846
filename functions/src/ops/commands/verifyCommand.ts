import { config } from '../../config';
import { type VerificationReport, verifyMigration } from '../../migration/migrationVerifier';
import { EXIT, type OpsContext, OpsError } from '../opsContext';
import { requireKnownUser } from './userLookup';

export interface VerifyOptions {
  uid?: string;
  sample?: number;
  /** One pass of continuous verification (recorded, and repairs requested), not a read-only check. */
  continuous?: boolean;
  json?: boolean;
}

type Print = (line: string) => void;

/** Compares legacy and Firestore record by record; exit 1 when anything differs. */
export async function verify(ctx: OpsContext, options: VerifyOptions, print: Print) {
  if (options.continuous) {
    if (options.uid !== undefined || options.sample !== undefined) {
      throw new OpsError('--continuous takes neither --uid nor --sample', EXIT.usage);
    }
    return continuousPass(ctx, options, print);
  }
  if ((options.uid === undefined) === (options.sample === undefined)) {
    throw new OpsError('choose exactly one of --uid and --sample', EXIT.usage);
  }
  const uids =
    options.uid !== undefined ? [options.uid] : await sampleUids(ctx, options.sample ?? 0);
  if (options.uid !== undefined) await requireKnownUser(ctx.db, options.uid);
  const legacy = ctx.legacyStore();
  const reports: VerificationReport[] = [];
  for (const uid of uids) {
    const report = await verifyMigration(ctx.db, legacy, uid);
    if (!report.linked && options.uid !== undefined) {
      throw new OpsError(`${uid} has no valid CloudKit link: nothing to compare`, EXIT.unknownUser);
    }
    reports.push(report);
    if (!options.json) printReport(report, print);
  }
  if (options.json) print(JSON.stringify(options.uid !== undefined ? reports[0] : reports));
  const differing = reports.filter((r) => r.differences.length > 0 || !r.linked);
  if (!options.json) {
    print(
      `${reports.length - differing.length} of ${reports.length} users match their legacy data`,
    );
  }
  return differing.length === 0 ? EXIT.ok : EXIT.problem;
}

/**
 * The scheduled function's pass, run now by the same module: the next users after the cursor,
 * each recorded in the totals; exit 1 when one of them differs or could not be verified.
 */
async function continuousPass(ctx: OpsContext, options: VerifyOptions, print: Print) {
  const pass = await ctx.continuousVerification().run();
  if (options.json) print(JSON.stringify(pass));
  else {
    for (const report of pass.verified) printReport(report, print);
    for (const uid of pass.failed) print(`${uid}: not verified (see the log line above)`);
    const { records, consistent, mismatches, repaired, usersVerified } = pass.totals;
    print(
      `totals over ${usersVerified} users' latest checks: ${records} records, ${consistent} consistent, ` +
        `${mismatches} mismatches, ${repaired} sent for repair`,
    );
  }
  const differing = pass.verified.filter((r) => r.differences.length > 0 || !r.linked);
  return differing.length === 0 && pass.failed.length === 0 ? EXIT.ok : EXIT.problem;
}

function printReport(report: VerificationReport, print: Print) {
  if (!report.linked) {
    print(`${report.uid}: no valid CloudKit link, not compared`);
    return;
  }
  const extra = report.onlyInFirestore;
  print(
    `${report.uid}: ${report.legacyRecords} legacy records, ${report.matched} match, ` +
      `${report.newerInFirestore} newer in Firestore, ${report.deletedInFirestore} deleted in Firestore, ` +
      `${report.differences.length} differ; only in Firestore: ${extra.habits} habits, ${extra.completions} completions`,
  );
  for (const difference of report.differences) {
    print(`  ${difference.recordName}: ${difference.problem}`);
  }
}

/** Users whose migration finished, a random `n` of the first thousand found. */
async function sampleUids(ctx: OpsContext, n: number): Promise<string[]> {
  if (!Number.isInteger(n) || n < 1)
    throw new OpsError('--sample needs a whole number above 0', EXIT.usage);
  const snap = await ctx.db
    .collectionGroup('meta')
    .where('dryRun', '==', false)
    .where('status', 'in', ['completed', 'completed_with_errors'])
    .select()
    .limit(config.ops.verifySamplePool)
    .get();
  const uids = snap.docs
    .filter((d) => d.id === 'migration')
    .map((d) => d.ref.parent.parent?.id)
    .filter((uid): uid is string => uid !== undefined);
  for (let i = uids.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [uids[i], uids[j]] = [uids[j], uids[i]];
  }
  if (uids.length === 0) throw new OpsError('no completed migrations to sample yet', EXIT.problem);
  return uids.slice(0, n);
}
