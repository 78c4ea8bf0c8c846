// What `npm start` prints once everything answers: the last thing on the console, short enough to
// read, with every line a newcomer can paste as it is.
import { DASHBOARD, DEMO, FUNCTIONS, OPERATOR, origin } from './demo-data.mjs';
import { EMULATOR_CONFIG, PROJECT_ID, SIM_URL } from './emulators.mjs';

/** A complete ES module: saved as demo.mjs in the project folder, `node demo.mjs` runs it. */
export function webSdkSnippet() {
  const fn = EMULATOR_CONFIG.functions;
  return `import { initializeApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from 'firebase/auth';
import { connectFunctionsEmulator, getFunctions, httpsCallable } from 'firebase/functions';

const app = initializeApp({ projectId: '${PROJECT_ID}', apiKey: 'demo-api-key' });
const auth = getAuth(app);
connectAuthEmulator(auth, '${origin('auth')}', { disableWarnings: true });
const functions = getFunctions(app, 'us-central1');
connectFunctionsEmulator(functions, '${fn.host}', ${fn.port});
await signInWithEmailAndPassword(auth, '${DEMO.email}', '${DEMO.password}');
const { data } = await httpsCallable(functions, 'habits-list')({});
console.log(JSON.stringify(data, null, 2));
process.exit(0);`;
}

export function curlLine(idToken) {
  return `curl -s -X POST -H 'content-type: application/json' -H 'authorization: Bearer ${idToken}' \\
  -d '{"data":{}}' ${FUNCTIONS}/progress-get`;
}

const indent = (text) => text.replace(/^/gm, '    ');

export function readinessBanner({ demo, logs, dataDir, kept, seconds }) {
  const uids = demo.legacyUids;
  return `
==> Ready in ${seconds} s. ${kept ? `Data kept from the last run (${dataDir}); npm start -- --fresh starts clean.` : 'Fresh demo data.'}
  Dashboard   ${DASHBOARD} (sign in as ${OPERATOR.email} / ${OPERATOR.password})
  Functions   ${FUNCTIONS}
  Firestore   ${origin('firestore')}    Auth ${origin('auth')}    Pub/Sub ${origin('pubsub')}
  CloudKit    ${SIM_URL} (simulator: ${uids.length} legacy users, ${uids.join(', ')})
  Logs        ${logs.emulators}
              ${logs.simulator}
  Sign in     ${DEMO.email} / ${DEMO.password} (${demo.habits} demo habits)

  Call a callable (this ID token lasts an hour; restart or sign in again for a new one):
${indent(curlLine(demo.idToken))}

  Or from the web SDK: save this as demo.mjs in this folder, then run node demo.mjs
${indent(webSdkSnippet())}

  Next, in a second terminal: migrate the legacy users, watch, and check the result
    npm run ops -- backfill --all --force
    npm run ops -- status --watch
    npm run ops -- verify --sample ${uids.length}

Press Ctrl+C to stop (data is saved to ${dataDir}).
`;
}
