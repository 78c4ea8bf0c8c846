import { createHash } from 'node:crypto';
import { getFunctions } from 'firebase-admin/functions';
import { config } from '../../config';
import { firebaseApp } from '../firebaseApp';

/**
 * Enqueues a task for the `onTaskDispatched` function `functionName`. The id is a hash of
 * `idParts`: Cloud Tasks refuses a second task with the same id, so whatever enqueues the same
 * work twice (a retried trigger, a duplicated message) creates it once.
 */
export async function enqueueTask(
  functionName: string,
  payload: Record<string, unknown>,
  idParts: ReadonlyArray<string | number | boolean | null>,
): Promise<void> {
  const id = createHash('sha256').update(JSON.stringify(idParts)).digest('hex');
  const queue = getFunctions(firebaseApp()).taskQueue(
    `locations/${config.region}/functions/${functionName}`,
  );
  try {
    await queue.enqueue(payload, { id });
  } catch (error) {
    if ((error as { code?: string }).code === 'functions/task-already-exists') return;
    throw error;
  }
}
