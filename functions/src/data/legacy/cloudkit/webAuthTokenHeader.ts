/**
 * Where a response carries the user's next web auth token. Apple calls the tokens single-use and
 * says a new one comes back with each response, but not where: this header is our guess (and the
 * simulator's). Should Apple put it elsewhere (a cookie, the body), only this function changes.
 */
export const WEB_AUTH_TOKEN_HEADER = 'X-Apple-CloudKit-Web-Auth-Token';

export function newWebAuthToken(response: Response): string | undefined {
  const token = response.headers.get(WEB_AUTH_TOKEN_HEADER)?.trim();
  return token ? token : undefined;
}
