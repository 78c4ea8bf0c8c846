import {
  COMMIT_WRITE_LIMIT,
  transactionWrites,
} from '../../../functions/src/data/firestore/transactionWrites';

describe('transaction sizes', () => {
  it.each(Object.entries(transactionWrites))(
    '%s writes at most %d documents, within one commit',
    (_name, writes) => {
      expect(writes).toBeGreaterThan(0);
      expect(writes).toBeLessThanOrEqual(COMMIT_WRITE_LIMIT);
    },
  );
});
