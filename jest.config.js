/** Two projects: fast unit tests of pure logic, and tests against the running Emulator Suite. */
const tsJest = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };

module.exports = {
  // Emulator calls include cold starts of the functions emulator; unit tests finish far below this.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      // The legacy store against the local CloudKit simulator, started in-process: no emulators.
      displayName: 'legacy',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/test/legacy/**/*.test.ts'],
    },
    {
      displayName: 'emulator',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/test/emulator/**/*.test.ts', '<rootDir>/test/golden/**/*.test.ts'],
    },
    {
      // The rollout walk judges project-wide figures (telemetry, outbox, migration statistics):
      // it runs on an Emulator Suite of its own, so no other test's traffic is in them.
      displayName: 'rollout',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/test/rollout/**/*.test.ts'],
    },
  ],
};
