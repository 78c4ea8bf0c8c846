import { logger } from 'firebase-functions/v2';

/** Every log line the functions write, one named function per event, structured fields last. */
export const logs = {
  callableRejected(callable: string, code: string, message: string): void {
    logger.info(`callable ${callable} rejected: ${code}`, {
      event: 'callableRejected',
      callable,
      code,
      message,
    });
  },
  callableFailed(callable: string, error: unknown): void {
    logger.error(`callable ${callable} failed`, {
      event: 'callableFailed',
      callable,
      error:
        error instanceof Error
          ? { name: error.name, message: error.message, stack: error.stack }
          : String(error),
    });
  },
  corruptDocument(path: string, issues: unknown): void {
    logger.error(`document ${path} does not match its schema`, {
      event: 'corruptDocument',
      path,
      issues,
    });
  },
};
