/** The CloudKit simulator that the test harness runs beside the emulators (scripts/emulators.mjs). */
export const SIM_URL = process.env.CLOUDKIT_SIM_URL ?? 'http://127.0.0.1:4010';

export async function sim<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${SIM_URL}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`simulator ${method} ${path}: ${response.status}`);
  return (await response.json()) as T;
}

/** What the app does on the device: a CloudKit user, and a web auth token minted for them. */
export async function legacyUserWithToken(uid: string): Promise<string> {
  await sim('POST', '/__sim/users', { uid });
  return (await sim<{ webAuthToken: string }>('POST', '/__sim/tokens', { uid })).webAuthToken;
}
