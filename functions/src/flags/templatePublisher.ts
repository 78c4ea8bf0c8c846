import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { App } from 'firebase-admin/app';
import type { RemoteConfigParameter } from 'firebase-admin/remote-config';
import { type FlagName, flagDefaults, flagNames, flagSchemas } from './flagDefaults';
import { type RemoteConfigServerTemplateJson, parseTemplateJson } from './templateJson';

/** Flag values to publish, as an operator types them or as a stage holds them. */
export type FlagValues = Partial<Record<FlagName, string | number | boolean>>;

/** Values that are not flags, or that their flag's schema refuses: nothing was published. */
export class InvalidFlagValues extends Error {
  constructor(readonly problems: string[]) {
    super(`nothing published: ${problems.join('; ')}`);
  }
}

export interface PublishedTemplate {
  /** The new template's version number, as `admin-flags` reports it once instances load it. */
  version: string;
}

/** Publishes flag values as a new version of the server template the functions read. */
export interface TemplatePublisher {
  publish(values: FlagValues, description: string): Promise<PublishedTemplate>;
}

/**
 * Each value checked by its flag's schema and written back as the value it stands for ("yes" is
 * published as "true"), so the template holds exactly what the functions will serve.
 */
export function validatedFlagValues(values: FlagValues): Record<string, string> {
  const problems: string[] = [];
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (!(flagNames as string[]).includes(name)) {
      problems.push(`${name} is not a flag (flags: ${flagNames.join(', ')})`);
      continue;
    }
    const parsed = flagSchemas[name as FlagName].safeParse(String(value));
    if (parsed.success) out[name] = String(parsed.data);
    else problems.push(`${name}=${String(value)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  if (Object.keys(values).length === 0) problems.push('no flag values given');
  if (problems.length > 0) throw new InvalidFlagValues(problems);
  return out;
}

/** The parameters with `values` as their default values; conditional values are left alone. */
function withValues(
  parameters: Record<string, RemoteConfigParameter>,
  values: Record<string, string>,
): Record<string, RemoteConfigParameter> {
  const out = { ...parameters };
  for (const [name, value] of Object.entries(values)) {
    const valueType =
      typeof flagDefaults[name as FlagName] === 'boolean' ? 'BOOLEAN' : ('NUMBER' as const);
    out[name] = { valueType, ...out[name], defaultValue: { value } };
  }
  return out;
}

/**
 * Emulators: the template file the functions read (FLAGS_TEMPLATE_FILE), rewritten whole as a
 * new version. Written to a temporary file and renamed over the old one, so a function never
 * reads half a template. Two publishers at once may lose one's change: locally there is one
 * operator.
 */
export function fileTemplatePublisher(path: string): TemplatePublisher {
  return {
    async publish(values, description) {
      const checked = validatedFlagValues(values);
      const current = parseTemplateJson(JSON.parse(await readFile(path, 'utf8')));
      const versionNumber = String(Number(current.version?.versionNumber ?? 0) + 1);
      const next: RemoteConfigServerTemplateJson = {
        ...current,
        etag: `local-${versionNumber}-${randomBytes(4).toString('hex')}`,
        parameters: withValues(current.parameters, checked),
        version: {
          ...current.version,
          versionNumber,
          updateTime: new Date().toUTCString(),
          description,
        },
      };
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify(next, null, 2)}\n`);
      await rename(temporary, path);
      return { version: versionNumber };
    },
  };
}

const REMOTE_CONFIG_API = 'https://firebaseremoteconfig.googleapis.com/v1';

/**
 * A real project: the Remote Config REST API on the `firebase-server` namespace (the server
 * template these functions read; docs/operations.md §2), fetched with its ETag and published
 * with If-Match, so a version someone published meanwhile is refused instead of overwritten.
 * Not exercised by the tests: nothing here can reach Remote Config.
 */
export function remoteConfigTemplatePublisher(app: App): TemplatePublisher {
  return {
    async publish(values, description) {
      const checked = validatedFlagValues(values);
      const projectId = app.options.projectId;
      const credential = app.options.credential;
      if (!projectId || !credential) {
        throw new Error('publishing flags needs the project id and credentials of the app');
      }
      const url = `${REMOTE_CONFIG_API}/projects/${projectId}/namespaces/firebase-server/remoteConfig`;
      const { access_token: token } = await credential.getAccessToken();
      const headers = { authorization: `Bearer ${token}`, 'x-goog-user-project': projectId };
      const got = await fetch(url, { headers });
      if (!got.ok) throw new Error(`Remote Config GET: ${got.status} ${await got.text()}`);
      const etag = got.headers.get('etag');
      if (!etag) throw new Error('Remote Config GET answered without an ETag');
      const template = (await got.json()) as RemoteConfigServerTemplateJson;
      // Everything else (conditions, parameter groups) goes back as it came.
      const body = {
        ...template,
        parameters: withValues(template.parameters ?? {}, checked),
        version: { description },
      };
      const put = await fetch(url, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/json; UTF-8', 'if-match': etag },
        body: JSON.stringify(body),
      });
      if (!put.ok) throw new Error(`Remote Config PUT: ${put.status} ${await put.text()}`);
      const published = (await put.json()) as { version?: { versionNumber?: string } };
      return { version: published.version?.versionNumber ?? 'unknown' };
    },
  };
}
