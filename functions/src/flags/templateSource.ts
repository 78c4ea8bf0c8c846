import { readFile } from 'node:fs/promises';
import type { App } from 'firebase-admin/app';
import { getRemoteConfig } from 'firebase-admin/remote-config';
import { type RemoteConfigServerTemplateJson, parseTemplateJson } from './templateJson';

export type { RemoteConfigServerTemplateJson } from './templateJson';

/** Where the Remote Config server template comes from; FeatureFlags decides how often to ask. */
export interface TemplateSource {
  load(): Promise<RemoteConfigServerTemplateJson>;
}

/** The project's published server template, fetched from Remote Config (needs credentials). */
export function remoteConfigTemplateSource(app: App): TemplateSource {
  return {
    async load() {
      const template = await getRemoteConfig(app).getServerTemplate();
      // toJSON() hands back the SDK's internal objects (its Version has its own toJSON); a JSON
      // round trip gives the same plain data a template file holds.
      return parseTemplateJson(JSON.parse(JSON.stringify(template.toJSON())));
    },
  };
}

/**
 * A server template read from a JSON file on every load, for emulators and tests, where Remote
 * Config cannot be reached: editing the file plays the part of publishing a new version.
 */
export function fileTemplateSource(path: string): TemplateSource {
  return {
    async load() {
      return parseTemplateJson(JSON.parse(await readFile(path, 'utf8')));
    },
  };
}
