import type { ServerConfig } from 'firebase-admin/remote-config';
import { type FlagName, type Flags, flagDefaults, flagNames, parseFlagValue } from './flagDefaults';

/** Where a flag's value came from, as `admin-flags` reports it. */
export type FlagSource = 'remote' | 'default' | 'default-invalid-remote' | 'stale-remote';

export interface EvaluatedFlags {
  values: Flags;
  sources: Record<FlagName, FlagSource>;
}

/** Every flag at its local default. */
export function defaultFlags(): EvaluatedFlags {
  const sources = {} as Record<FlagName, FlagSource>;
  for (const name of flagNames) sources[name] = 'default';
  return { values: { ...flagDefaults }, sources };
}

/**
 * The typed flags of one evaluated template. The SDK's own getters cannot tell "abc" from 0 or
 * false, so each remote string goes through the flag's schema; a value that fails keeps the local
 * default, per flag, and is handed to `onInvalid`.
 */
export function typedFlags(
  config: ServerConfig,
  remoteSource: 'remote' | 'stale-remote',
  onInvalid: (flag: FlagName, value: string) => void,
): EvaluatedFlags {
  const flags = defaultFlags();
  const take = <K extends FlagName>(name: K): void => {
    const value = config.getValue(name);
    // 'default' and 'static' mean the template says nothing about this flag.
    if (value.getSource() !== 'remote') return;
    // A hand-written template may hold a JSON number where Remote Config would hold a string.
    const raw = String(value.asString());
    const parsed = parseFlagValue(name, raw);
    if (parsed === undefined) {
      flags.sources[name] = 'default-invalid-remote';
      onInvalid(name, raw);
      return;
    }
    flags.values[name] = parsed;
    flags.sources[name] = remoteSource;
  };
  flagNames.forEach(take);
  return flags;
}
