import { dashboard } from './dashboard';
import { connect } from './firebase';
import { session } from './session';

const byTestId = <T extends HTMLElement>(id: string) => {
  const node = document.querySelector<T>(`[data-testid="${id}"]`);
  if (!node) throw new Error(`index.html has no [data-testid="${id}"]`);
  return node;
};

async function main() {
  const backend = await connect();
  const loop = dashboard(backend, {
    main: byTestId('dashboard'),
    header: byTestId('dashboard-header'),
    generatedAt: byTestId('generated-at'),
    refreshSeconds: byTestId('refresh-seconds'),
    refreshes: byTestId('refreshes'),
    notAuthorised: byTestId('not-authorised'),
    loadError: byTestId('load-error'),
  });
  session(
    backend.auth,
    {
      form: byTestId<HTMLFormElement>('sign-in-form'),
      email: byTestId<HTMLInputElement>('sign-in-email'),
      password: byTestId<HTMLInputElement>('sign-in-password'),
      error: byTestId('sign-in-error'),
      session: byTestId('session'),
      who: byTestId('signed-in-as'),
      signOutButton: byTestId<HTMLButtonElement>('sign-out'),
    },
    { onSignedIn: () => loop.start(), onSignedOut: () => loop.stop() },
  );
  document.body.setAttribute('data-ready', 'true');
}

main().catch((error: unknown) => {
  const node = document.querySelector('[data-testid="load-error"]') as HTMLElement | null;
  if (node) {
    node.textContent = `the dashboard could not start: ${String(error)}`;
    node.hidden = false;
  }
});
