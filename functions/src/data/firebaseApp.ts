import { type App, getApps, initializeApp } from 'firebase-admin/app';
import { adminAppOptions } from '../config';

const DEFAULT_APP = '[DEFAULT]';

/**
 * The default Admin SDK app, initialised on first use by whichever service needs it first. Other
 * (named) apps may exist already (the Functions runtime makes its own), so look for this one.
 */
export function firebaseApp(): App {
  return getApps().find((app) => app.name === DEFAULT_APP) ?? initializeApp(adminAppOptions());
}
