import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { MAY_IMPORT } from './functions/layers.mjs';

/**
 * One dependency direction in functions/src (functions/layers.mjs): importing a higher layer, or a
 * sibling entry point, fails the lint; so does a Firebase import in domain/.
 */
const layerRules = Object.entries(MAY_IMPORT).map(([part, allowed]) => {
  const forbidden = Object.keys(MAY_IMPORT).filter(
    (other) => other !== part && !allowed.includes(other),
  );
  if (part === 'domain') forbidden.push('config', 'logs');
  const patterns = [
    {
      // Relative imports only: '../data/x' is the data layer, 'firebase-admin/app' is not app.ts.
      regex: `^(\\.{1,2}/)+(${forbidden.join('|')})(/|$)`,
      message: `${part} may import only from ${allowed.join(', ') || 'itself'} (functions/layers.mjs, docs/architecture.md).`,
    },
  ];
  if (part === 'domain') {
    patterns.push({
      group: ['firebase-*', '@google-cloud/*'],
      message: 'domain/ has no Firebase imports.',
    });
  }
  return {
    files: [part === 'app' ? 'functions/src/app.ts' : `functions/src/${part}/**`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'functions/lib/',
      'tools/*/dist/',
      'dashboard/dist/',
      '.cache/',
      'coverage/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
);
