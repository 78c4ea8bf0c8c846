/**
 * Only wiring: each export is a deployed function group. A group `habits` with member `create`
 * is the callable `habits-create` that clients name in `httpsCallable`.
 */
export { habitsApi as habits } from './api/habitsApi';
export { completionsApi as completions } from './api/completionsApi';
export { progressApi as progress } from './api/progressApi';
export { snapshotApi as snapshot } from './api/snapshotApi';
export { migrationApi as migration } from './api/migrationApi';
export { legacyApi as legacy } from './api/legacyApi';
export {
  legacyDelivery,
  legacyOutboxSweep,
  legacyOutboxCreated,
  legacyOutboxUpdated,
} from './triggers/legacyDeliveryTriggers';
export {
  migrationBackfill,
  migrationBackfillMessages,
  migrationFanOut,
} from './triggers/migrationTriggers';
export {
  legacyCatchUp,
  legacyCatchUpSchedule,
  legacyCatchUpSweep,
} from './triggers/catchUpTriggers';
export { consistencyShadowCompare, consistencyVerification } from './triggers/consistencyTriggers';
export { settingsChanged } from './triggers/settingsTriggers';
export { habitWork, habitWorkRequested, habitWorkSweep } from './triggers/habitWorkTriggers';
export { adminApi as admin } from './api/adminApi';
