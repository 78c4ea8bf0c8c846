/** CloudKit JSON shapes and the simulator's public option types (re-exported by index.ts). */

export interface CkFieldValue {
  value: unknown;
  type?: string;
}

export interface CkStamp {
  timestamp: number;
  userRecordName: string;
  deviceID: string;
}

export interface CkRecord {
  recordName: string;
  recordType: string;
  recordChangeTag: string;
  fields: Record<string, CkFieldValue>;
  created: CkStamp;
  modified: CkStamp;
}

/** One user's private database contents, as the demo generator produces them. */
export interface SimUserData {
  uid: string;
  userRecordName: string;
  records: CkRecord[];
}

export interface SimulatorOptions {
  /** 0 = ephemeral (default 0). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /**
   * JSON persistence; absent = memory only. Loaded on start (with its log, `dataFile.log`) if it
   * exists; every mutation is appended to the log, folded into the file now and then and on close.
   */
  dataFile?: string;
  /** Log size that triggers folding it into `dataFile`; default the larger of 4 MiB and the file. */
  compactLogAtBytes?: number;
  /** Default 'iCloud.com.example.habits'. */
  container?: string;
  /** The ckAPIToken accepted; default 'sim-api-token'. */
  apiToken?: string;
  /** Mode of tokens minted without one of their own; default 'reusable'. */
  tokenMode?: 'reusable' | 'rotating';
  /** Default 30 minutes. */
  tokenTtlMs?: number;
  /** Keys accepted for server-to-server signed requests. */
  serverKeys?: Array<{ keyId: string; publicKeyPem: string }>;
  /** Generate demo data if the store is empty. */
  seed?: { users: number; days: number; seed?: number };
}

export interface RunningSimulator {
  url: string;
  port: number;
  close(): Promise<void>;
}
