/**
 * The one conflict rule for a record changed on both sides (this backend and the old app) since
 * they last held the same copy. Used by delivery to CloudKit, the backfill and the catch-up, so
 * whichever sees the conflict first, both sides end with the same winner.
 *
 * - Two edits: the later edit time wins (`updatedAt` here, `CD_updatedAt` there). A tie goes to
 *   Firestore, the system of record from now on. The two sides' version counters are never
 *   compared: each side raises its own, so they say nothing about which copy is newer.
 * - A deletion here (a tombstone, dated) against an edit there: the later one wins.
 * - A habit's deletion here beats any edit of its completions there.
 * - A deletion there (CloudKit says only "deleted", with no time) against this side's copy: the
 *   deletion wins unless this side holds a change CloudKit has not been given yet (a pending
 *   outbox entry) or the API changed it since the backfill run started: an edit the old app never
 *   saw is not thrown away, and it is delivered to CloudKit again.
 * Edit times come from two clocks (the server's and the device's); a skew between them moves
 * the line between "earlier" and "later" by that much, and the rule stays deterministic.
 */
export function firestoreEditWins(firestoreEditedAtMs: number, legacyEditedAtMs: number): boolean {
  return firestoreEditedAtMs >= legacyEditedAtMs;
}

/** A tombstone dated `deletedAtMs` against a legacy copy last edited at `legacyEditedAtMs`. */
export function firestoreDeletionWins(deletedAtMs: number, legacyEditedAtMs: number): boolean {
  return deletedAtMs >= legacyEditedAtMs;
}

/**
 * A day that goes with its deleted habit keeps a tombstone of its own, dated by this: the habit's
 * deletion beats every edit of its days up to then, so the date is never before the day's last
 * edit. Should the habit come back (an old-app edit later than its deletion), its days stay
 * deleted on both sides; only an edit of the day after this date brings it back.
 */
export function dayDeletedWithHabitAt(habitDeletedAt: string, dayEditedAt: string): string {
  return Date.parse(dayEditedAt) > Date.parse(habitDeletedAt) ? dayEditedAt : habitDeletedAt;
}

/**
 * CloudKit no longer has a record this side holds: whether the deletion stands. `undelivered`:
 * an outbox entry for it is pending; `editedSinceRunStart`: the API changed it during the run.
 */
export function legacyDeletionWins(undelivered: boolean, editedSinceRunStart: boolean): boolean {
  return !undelivered && !editedSinceRunStart;
}

/**
 * Two copies hold the same content, `ignored` keys left out (each side counts its own versions).
 * Key order does not matter.
 */
export function sameFields(a: object, b: object, ignored: ReadonlyArray<string>): boolean {
  const left = a as Readonly<Record<string, unknown>>;
  const right = b as Readonly<Record<string, unknown>>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) {
    if (ignored.includes(key)) continue;
    if (JSON.stringify(left[key]) !== JSON.stringify(right[key])) return false;
  }
  return true;
}
