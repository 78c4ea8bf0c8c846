/** Two projects: fast unit tests of pure logic, and tests against the running Emulator Suite. */
const tsJest = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'emulator',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/test/emulator/**/*.test.ts', '<rootDir>/test/golden/**/*.test.ts'],
      testTimeout: 60000,
    },
  ],
};
