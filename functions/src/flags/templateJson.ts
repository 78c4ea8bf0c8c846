import type {
  NamedCondition,
  OneOfCondition,
  RemoteConfigParameter,
  ServerTemplateData,
  Version,
} from 'firebase-admin/remote-config';
import { z } from 'zod';

/**
 * A Remote Config server template as plain JSON: what `ServerTemplate.toJSON()` gives and what
 * `initServerTemplate({ template })` takes, so a template read from a file and one fetched from
 * Remote Config go through the same evaluation.
 */
export type RemoteConfigServerTemplateJson = ServerTemplateData;

const isObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Only the outline is checked: the SDK itself skips what it does not understand inside conditions
// and values, and per-flag parsing catches bad values without discarding the whole template.
const namedConditionSchema: z.ZodType<NamedCondition> = z.looseObject({
  name: z.string().min(1),
  condition: z.custom<OneOfCondition>(isObject, 'condition must be an object'),
});

const templateJsonSchema: z.ZodType<RemoteConfigServerTemplateJson> = z.looseObject({
  // The SDK refuses a template without an etag; failing here gives the reason in one place.
  etag: z.string().min(1),
  conditions: z.array(namedConditionSchema),
  parameters: z.record(
    z.string(),
    z.custom<RemoteConfigParameter>(isObject, 'parameter must be an object'),
  ),
  version: z.custom<Version>(isObject, 'version must be an object').optional(),
});

/** The template in `json`, or a thrown error saying what is wrong with it. */
export function parseTemplateJson(json: unknown): RemoteConfigServerTemplateJson {
  const withDefaults = isObject(json) ? { conditions: [], parameters: {}, ...json } : json;
  // A copy, so a source that reuses its object cannot change a template already in force.
  return structuredClone(templateJsonSchema.parse(withDefaults));
}

/** What an operator knows a template by: its published version, else its etag. */
export function templateVersionOf(template: RemoteConfigServerTemplateJson): string {
  const versionNumber = template.version?.versionNumber;
  return versionNumber === undefined ? template.etag : String(versionNumber);
}
