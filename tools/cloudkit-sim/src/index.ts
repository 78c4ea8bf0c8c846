/** The CloudKit Web Services simulator: programmatic entry for tests and scripts. */
export { startSimulator } from './server';
export { generateDemoData } from './demoData';
export type {
  RunningSimulator,
  SimulatorOptions,
  SimUserData,
  CkRecord,
  CkFieldValue,
  CkStamp,
} from './types';
