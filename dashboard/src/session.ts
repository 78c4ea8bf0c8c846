import {
  type Auth,
  onAuthStateChanged,
  signInWithEmailAndPassword,
  signOut,
  type User,
} from 'firebase/auth';
import { errorCode } from './firebase';

export interface SessionElements {
  form: HTMLFormElement;
  email: HTMLInputElement;
  password: HTMLInputElement;
  error: HTMLElement;
  session: HTMLElement;
  who: HTMLElement;
  signOutButton: HTMLButtonElement;
}

const MESSAGES: Record<string, string> = {
  'auth/invalid-credential': 'wrong email or password',
  'auth/wrong-password': 'wrong email or password',
  'auth/user-not-found': 'wrong email or password',
  'auth/invalid-email': 'not an email address',
  'auth/too-many-requests': 'too many attempts; try again later',
  'auth/network-request-failed': 'Auth does not answer (is `npm start` running?)',
};

/**
 * Email and password sign-in with Firebase Auth. Signed out, the page shows only this form;
 * `onSignedIn` and `onSignedOut` start and stop everything else.
 */
export function session(
  auth: Auth,
  ui: SessionElements,
  handlers: { onSignedIn(user: User): void; onSignedOut(): void },
): void {
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    ui.error.textContent = '';
    const submit = ui.form.querySelector('button');
    if (submit) submit.disabled = true;
    signInWithEmailAndPassword(auth, ui.email.value.trim(), ui.password.value)
      .catch((error: unknown) => {
        const code = errorCode(error);
        ui.error.textContent = MESSAGES[code] ?? `could not sign in (${code})`;
      })
      .finally(() => {
        if (submit) submit.disabled = false;
      });
  });
  ui.signOutButton.addEventListener('click', () => void signOut(auth));
  onAuthStateChanged(auth, (user) => {
    ui.form.hidden = user !== null;
    ui.session.hidden = user === null;
    if (user) {
      ui.who.textContent = user.email ?? user.uid;
      ui.password.value = '';
      handlers.onSignedIn(user);
    } else {
      ui.who.textContent = '';
      handlers.onSignedOut();
    }
  });
}
