import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type CkRecord, type RunningSimulator } from '../../tools/cloudkit-sim/src';
import { openStore, type PersistedStore } from '../../tools/cloudkit-sim/src/persistence';
import type { SimStore } from '../../tools/cloudkit-sim/src/store';
import { storedUser } from '../../tools/cloudkit-sim/src/storedUser';

const CONTAINER = 'iCloud.com.example.habits';
const ZONE = { zoneName: 'com.apple.coredata.cloudkit.zone' };

let dir: string;
let fileNo = 0;
const dataFile = () => join(dir, `data-${(fileNo += 1)}.json`);
const logOf = (file: string) => `${file}.log`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudkit-sim-persist-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Warnings are part of the contract (a torn line, a stale log): collected, and kept off the output.
let stderr: string[];
beforeEach(() => {
  stderr = [];
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
});
afterEach(() => jest.restoreAllMocks());

const opened: PersistedStore[] = [];
function open(file: string, compactAtBytes?: number): PersistedStore {
  const persisted = openStore(file, { compactAtBytes });
  opened.push(persisted);
  return persisted;
}
afterEach(() => {
  for (const persisted of opened.splice(0)) {
    try {
      persisted.close();
    } catch {
      // a test that made the files unreadable on purpose
    }
  }
});

function record(name: string, note = 'x'): CkRecord {
  const stamp = { timestamp: 1, userRecordName: '_u', deviceID: 'D' };
  return {
    recordName: name,
    recordType: 'CD_Habit',
    recordChangeTag: 'tag',
    fields: { CD_name: { value: `${name} ${note}`, type: 'STRING' } },
    created: stamp,
    modified: stamp,
  };
}

/** Writes `count` records for `uid` and saves after each, as the server does per request. */
function writeRecords(persisted: PersistedStore, uid: string, count: number, from = 0): void {
  const user = persisted.store.createUser(uid);
  for (let i = from; i < from + count; i += 1) {
    persisted.store.write(user, `R${i}`, record(`R${i}`));
    persisted.save();
  }
}

/** Everything a load must reproduce, entry order included. */
const dump = (store: SimStore) =>
  JSON.stringify({
    secret: store.tokenSecret,
    users: [...store.users.values()].map((user) => storedUser(user)),
  });

/** What a fresh process would load from the files as they are now. */
function reload(file: string): string {
  const persisted = openStore(file);
  try {
    return dump(persisted.store);
  } finally {
    // Closing would compact; a reload must leave the files as a crash left them.
    persisted.store.takeChanges();
  }
}

describe('simulator persistence: snapshot plus log', () => {
  it('keeps acknowledged writes across a kill: a copy of the files taken mid-run loads them', async () => {
    const file = dataFile();
    const sim = await startSimulator({ dataFile: file });
    const running: RunningSimulator[] = [sim];
    try {
      const admin = (path: string, body: unknown) =>
        fetch(`${sim.url}/__sim/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<Record<string, string>>);
      await admin('users', { uid: 'u1' });
      const { webAuthToken } = await admin('tokens', { uid: 'u1' });
      const query = new URLSearchParams({
        ckAPIToken: 'sim-api-token',
        ckWebAuthToken: webAuthToken,
      });
      const path = `/database/1/${CONTAINER}/development/private/records/modify?${query.toString()}`;
      for (const name of ['A', 'B', 'C']) {
        const answer = await fetch(`${sim.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            zoneID: ZONE,
            operations: [
              {
                operationType: 'forceUpdate',
                record: { recordName: name, recordType: 'CD_Habit', fields: {} },
              },
            ],
          }),
        });
        expect(answer.status).toBe(200);
      }
      // Taken while the simulator runs: what a kill -9 right now would leave.
      const killed = dataFile();
      copyFileSync(file, killed);
      copyFileSync(logOf(file), logOf(killed));
      expect(readFileSync(logOf(killed), 'utf8').trim().split('\n').length).toBeGreaterThan(3);

      const again = await startSimulator({ dataFile: killed });
      running.push(again);
      const stored = await fetch(`${again.url}/__sim/users/u1/records`);
      const { records } = (await stored.json()) as { records: CkRecord[] };
      expect(records.map((r) => r.recordName)).toEqual(['A', 'B', 'C']);
      // The same secret and generation: the token minted before the kill still works.
      const changes = await fetch(`${again.url}${path.replace('modify', 'changes')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ zoneID: ZONE }),
      });
      expect(changes.status).toBe(200);
    } finally {
      await Promise.all(running.map((s) => s.close()));
    }
    // A graceful close folds the log into the snapshot.
    expect(readFileSync(logOf(file), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(reload(file)).toContain('"n":"C"');
  });

  it('replays the log over the snapshot after a restart', () => {
    const file = dataFile();
    const first = open(file);
    writeRecords(first, 'u1', 5);
    first.store.write(first.store.users.get('u1')!, 'R2', undefined); // a tombstone
    first.store.expireTokens('u1');
    first.save();
    expect(existsSync(logOf(file))).toBe(true);

    const loaded = reload(file);
    expect(loaded).toBe(dump(first.store));
    const user = JSON.parse(loaded).users[0];
    expect(user.tokenGeneration).toBe(1);
    // Seq order kept: the rewritten R2 comes last, as a tombstone.
    expect(user.entries.map((e: { n: string }) => e.n)).toEqual(['R0', 'R1', 'R3', 'R4', 'R2']);
    expect(user.entries[4].r).toBeUndefined();
  });

  it('ignores a torn last log line with a warning, and appends cleanly after it', () => {
    const file = dataFile();
    const first = open(file);
    writeRecords(first, 'u1', 3);
    const before = dump(first.store);
    first.store.takeChanges();
    appendFileSync(logOf(file), '{"users":[{"uid":"u1","userRecor'); // a write cut short

    const second = open(file);
    expect(dump(second.store)).toBe(before);
    expect(stderr.join('')).toMatch(/incomplete last line/);
    writeRecords(second, 'u1', 2, 3);
    const after = dump(second.store);
    second.store.takeChanges();

    stderr = [];
    expect(reload(file)).toBe(after);
    expect(stderr).toEqual([]);
  });

  it('refuses a corrupt line in the middle of the log rather than drop what follows it', () => {
    const file = dataFile();
    const first = open(file);
    writeRecords(first, 'u1', 3);
    first.store.takeChanges();
    const lines = readFileSync(logOf(file), 'utf8').split('\n');
    lines[2] = lines[2].slice(0, 20);
    writeFileSync(logOf(file), lines.join('\n'));

    expect(() => openStore(file)).toThrow(/data-\d+\.json\.log:3: corrupt line/);
  });

  it('compacts once the log passes its threshold, and the data is the same before and after', () => {
    const file = dataFile();
    const persisted = open(file, 4096);
    writeRecords(persisted, 'u1', 5);
    const snapshotBefore = statSync(file).size;
    const logBefore = statSync(logOf(file)).size;
    expect(logBefore).toBeGreaterThan(1000);
    const before = dump(persisted.store);
    expect(reload(file)).toBe(before);

    // Each line is a few hundred bytes: 20 more writes pass 4 KiB at least once.
    writeRecords(persisted, 'u1', 20, 5);
    expect(statSync(file).size).toBeGreaterThan(snapshotBefore * 3);
    expect(statSync(logOf(file)).size).toBeLessThan(4096);
    expect(reload(file)).toBe(dump(persisted.store));

    // Closing folds what is left into the snapshot: the log is a header only.
    const final = dump(persisted.store);
    persisted.close();
    expect(readFileSync(logOf(file), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(reload(file)).toBe(final);
  });

  it('loads the same data after a kill between the snapshot write and the log replacement', () => {
    const file = dataFile();
    const persisted = open(file);
    writeRecords(persisted, 'u1', 4);
    // A reset makes replaying the old log over the new snapshot wrong, not merely redundant.
    persisted.store.reset();
    writeRecords(persisted, 'u1', 2, 10);
    writeRecords(persisted, 'u2', 2);
    const oldLog = readFileSync(logOf(file));
    const expected = dump(persisted.store);

    persisted.close(); // writes the snapshot, then replaces the log
    writeFileSync(logOf(file), oldLog); // as if the kill came before the log was replaced

    const again = open(file);
    expect(dump(again.store)).toBe(expected);
    expect(stderr.join('')).toMatch(/belongs to an earlier/);
    expect(existsSync(logOf(file))).toBe(false);
    // And it goes on working from there.
    writeRecords(again, 'u2', 1, 5);
    const after = dump(again.store);
    again.store.takeChanges();
    expect(reload(file)).toBe(after);
  });

  it('writes a bounded number of bytes per mutation, however big the store', () => {
    const bytesForOneWrite = (records: number) => {
      const file = dataFile();
      const persisted = open(file);
      const user = persisted.store.createUser('u1');
      for (let i = 0; i < records; i += 1) persisted.store.write(user, `R${i}`, record(`R${i}`));
      persisted.save(); // the first save of a new file is a snapshot
      persisted.store.write(user, 'R0', record('R0'));
      persisted.save(); // the log starts
      const snapshot = statSync(file);
      const log = statSync(logOf(file)).size;

      persisted.store.write(user, 'R1', record('R1', 'edited'));
      persisted.save();
      const after = statSync(file);
      expect([after.mtimeMs, after.size, after.ino]).toEqual([
        snapshot.mtimeMs,
        snapshot.size,
        snapshot.ino,
      ]);
      return { written: statSync(logOf(file)).size - log, snapshot: snapshot.size };
    };
    const small = bytesForOneWrite(10);
    const big = bytesForOneWrite(5_000);
    expect(big.snapshot).toBeGreaterThan(100 * small.snapshot);
    // Only the longer seq numbers in the line differ.
    expect(Math.abs(big.written - small.written)).toBeLessThan(16);
    expect(big.written).toBeLessThan(1024);
  });

  it('starts empty when the data file is missing, even with a log beside it', () => {
    const file = dataFile();
    const first = open(file);
    writeRecords(first, 'u1', 3);
    first.store.takeChanges();
    rmSync(file); // how the test runner starts the simulator afresh

    const again = open(file);
    expect(again.store.users.size).toBe(0);
    expect(existsSync(logOf(file))).toBe(false);
    expect(existsSync(file)).toBe(false);
    expect(stderr.join('')).toMatch(/is missing, so the store starts empty/);

    // After a graceful close the log is a header only: removed without a word.
    writeRecords(again, 'u1', 1);
    again.close();
    rmSync(file);
    stderr = [];
    expect(open(file).store.users.size).toBe(0);
    expect(existsSync(logOf(file))).toBe(false);
    expect(stderr).toEqual([]);
  });

  it('loads a version 1 data file and rewrites it as version 2 on the first change', () => {
    const file = dataFile();
    const entry = { n: 'R0', s: 1, r: record('R0') };
    const user = {
      uid: 'u1',
      userRecordName: '_u',
      epoch: 'e1',
      seq: 1,
      tokenGeneration: 0,
      registeredAt: 1,
      entries: [entry],
    };
    writeFileSync(
      file,
      JSON.stringify({ format: 'cloudkit-sim/1', tokenSecret: 's', users: [user] }),
    );

    const persisted = open(file);
    expect(persisted.store.users.get('u1')!.entries.get('R0')!.record).toEqual(entry.r);
    writeRecords(persisted, 'u1', 1, 1);
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe('cloudkit-sim/2');
    expect(reload(file)).toBe(dump(persisted.store));
  });

  it('refuses a data file of another format', () => {
    const file = dataFile();
    writeFileSync(file, JSON.stringify({ format: 'something-else', users: [] }));
    expect(() => openStore(file)).toThrow(/not a cloudkit-sim data file/);
  });
});
