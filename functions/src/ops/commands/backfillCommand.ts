import { readFileSync } from 'node:fs';
import { PubSub } from '@google-cloud/pubsub';
import { type BackfillMessage, backfillMessageSchema } from '../../domain/backfillMessages';
import { describeIssues } from '../../data/legacy/mapping/legacyValues';
import { BACKFILL_TOPIC } from '../../migration/backfillTopic';
import { EXIT, OpsError } from '../opsContext';

export interface BackfillOptions {
  uid?: string;
  uidsFile?: string;
  all?: boolean;
  force?: boolean;
  dryRun?: boolean;
}

const MAX_UIDS_PER_MESSAGE = 500;

/** One uid per line; blank lines and `#` comments are skipped. */
function readUids(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new OpsError(`cannot read ${file}: ${(error as Error).message}`, EXIT.usage);
  }
  const uids = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (uids.length === 0) throw new OpsError(`${file} lists no uids`, EXIT.usage);
  return [...new Set(uids)];
}

/** The messages an operator's options stand for, validated exactly as the trigger will. */
export function backfillMessages(options: BackfillOptions): BackfillMessage[] {
  const kind = { force: options.force ?? false, dryRun: options.dryRun ?? false };
  return validated(
    addressed(options, {
      one: (uid) => ({ type: 'user', uid, ...kind }),
      some: (uids) => ({ type: 'users', uids, ...kind }),
      all: () => ({ type: 'all', ...kind }),
    }),
  );
}

/** `ops catchup`: the same addressing, as catch-up messages (migrated users only). */
export function catchUpMessages(options: Omit<BackfillOptions, 'force' | 'dryRun'>) {
  return validated(
    addressed(options, {
      one: (uid) => ({ type: 'catchup', uid }),
      some: (uids) => ({ type: 'catchup', uids }),
      all: () => ({ type: 'catchup', all: true }),
    }),
  );
}

/** One message for --uid or --all; one per 500 users of --uids-file. */
function addressed(
  options: Pick<BackfillOptions, 'uid' | 'uidsFile' | 'all'>,
  to: { one: (uid: string) => object; some: (uids: string[]) => object; all: () => object },
): object[] {
  const chosen = [options.uid, options.uidsFile, options.all].filter((v) => v !== undefined);
  if (chosen.length !== 1) {
    throw new OpsError('choose exactly one of --uid, --uids-file and --all', EXIT.usage);
  }
  if (options.uid !== undefined) return [to.one(options.uid)];
  if (options.all) return [to.all()];
  const uids = readUids(options.uidsFile ?? '');
  const messages: object[] = [];
  for (let i = 0; i < uids.length; i += MAX_UIDS_PER_MESSAGE) {
    messages.push(to.some(uids.slice(i, i + MAX_UIDS_PER_MESSAGE)));
  }
  return messages;
}

function validated(raw: object[]): BackfillMessage[] {
  return raw.map((message) => {
    const parsed = backfillMessageSchema.safeParse(message);
    if (!parsed.success) {
      throw new OpsError(`invalid backfill request: ${describeIssues(parsed.error)}`, EXIT.usage);
    }
    return parsed.data;
  });
}

/** Publishes to the topic the backfill listens on, reporting each message as it is accepted. */
export async function publishBackfill(
  projectId: string,
  messages: BackfillMessage[],
  published: (message: BackfillMessage, id: string) => void,
): Promise<void> {
  const pubsub = new PubSub({ projectId });
  try {
    const topic = pubsub.topic(BACKFILL_TOPIC);
    for (const message of messages) {
      published(
        message,
        await topic.publishMessage({ data: Buffer.from(JSON.stringify(message)) }),
      );
    }
  } finally {
    await pubsub.close();
  }
}
