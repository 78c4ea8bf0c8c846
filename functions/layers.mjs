// What each part of functions/src may import, lowest layer first: domain <- flags, telemetry <- data
// <- migration <- app.ts (the composition root) <- api, triggers, ops (entry points, which import
// none of each other). `config.ts` and `logs.ts` are the kernel every part but `domain` uses.
// eslint.config.mjs turns this table into import rules; docs/architecture.md explains it.
const BELOW_DATA = ['domain', 'flags', 'telemetry'];
const BELOW_APP = [...BELOW_DATA, 'data', 'migration'];

export const MAY_IMPORT = {
  domain: [],
  flags: ['domain'],
  telemetry: ['domain'],
  data: BELOW_DATA,
  migration: [...BELOW_DATA, 'data'],
  app: BELOW_APP,
  api: [...BELOW_APP, 'app'],
  triggers: [...BELOW_APP, 'app'],
  ops: [...BELOW_APP, 'app'],
};
