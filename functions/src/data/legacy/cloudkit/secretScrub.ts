/**
 * Text from outside (a server's `reason`, a network error) could echo a request URL and with it a
 * token. Anything that ends up in an error message or a log line passes through here first.
 */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let scrubbed = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      scrubbed = scrubbed.split(form).join('[redacted]');
    }
  }
  // Query parameters of CloudKit URLs, in case a token we do not know of (a rotated one) shows up.
  return scrubbed.replace(/(ck(?:API|WebAuth)Token=)[^&\s"']+/gi, '$1[redacted]');
}
