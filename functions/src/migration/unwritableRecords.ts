import { isRefusedRequest } from '../data/firestore/firestoreErrors';
import type { MappedEntry, MappingFailure } from '../data/legacy/mapping/legacyToFirestoreMapper';

export interface UnwritableRecord {
  recordName: string;
  code: string;
  message: string;
}

export type Isolation =
  | {
      kind: 'isolated';
      /** The page again, each unwritable entry replaced by its quarantine. */
      entries: MappedEntry[];
      unwritable: UnwritableRecord[];
    }
  /** The run stopped being this task's: it writes nothing more. */
  | { kind: 'lost_lease' };

/** Thrown inside this module only, to unwind the halving once the lease is gone. */
class LeaseLost extends Error {}

function recordNameOf(entry: MappedEntry): string {
  if ('recordName' in entry) return entry.recordName;
  return entry.source?.recordName ?? `(${entry.kind} without a record name)`;
}

/**
 * A page Firestore refused for good: finds the entries it refuses even alone, halving the page
 * (a few commits for one bad record, not one per record), so that they are quarantined and the
 * rest of the page is written. `writeAlone` commits some entries' writes without moving the run
 * (cursor and counts stay with the page's own commit), and answers false once the lease is lost;
 * the writes it made are found present when the page is planned again, so none counts twice.
 * Nothing of the page is asked first: when even that is refused, the fault is not any record's
 * and the page fails as any page does.
 */
export async function isolateUnwritable(
  entries: readonly MappedEntry[],
  writeAlone: (entries: readonly MappedEntry[]) => Promise<boolean>,
): Promise<Isolation> {
  if (!(await writeAlone([]))) return { kind: 'lost_lease' };
  const verdicts = new Map<MappedEntry, UnwritableRecord>();

  const writeOrHalve = async (some: readonly MappedEntry[], knownRefused: boolean) => {
    if (some.length === 0) return;
    if (!knownRefused) {
      try {
        if (!(await writeAlone(some))) throw new LeaseLost();
        return;
      } catch (error) {
        if (error instanceof LeaseLost || !isRefusedRequest(error)) throw error;
        if (some.length === 1) {
          const code = String((error as { code?: unknown }).code ?? 'unknown');
          const message = error instanceof Error ? error.message : String(error);
          verdicts.set(some[0], { recordName: recordNameOf(some[0]), code, message });
          return;
        }
      }
    }
    const half = Math.ceil(some.length / 2);
    await writeOrHalve(some.slice(0, half), false);
    await writeOrHalve(some.slice(half), false);
  };

  try {
    await writeOrHalve(entries, true);
  } catch (error) {
    if (error instanceof LeaseLost) return { kind: 'lost_lease' };
    throw error;
  }
  return {
    kind: 'isolated',
    entries: entries.map((entry) => {
      const verdict = verdicts.get(entry);
      if (!verdict) return entry;
      const failure: MappingFailure = {
        kind: 'failure',
        recordName: verdict.recordName,
        reason: `Firestore refuses its writes (${verdict.code}): ${verdict.message}`,
      };
      return failure;
    }),
    unwritable: [...verdicts.values()],
  };
}
