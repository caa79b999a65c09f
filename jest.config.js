/** Unit tests live beside the code (*.spec.ts); e2e suites under test/ (*.e2e-spec.ts). */
module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }] },
  moduleNameMapper: {
    '^@app/(mac|platform|keystone-mapping|ha|cli|openstack)$': '<rootDir>/libs/$1/src',
    '^@app/(mac|platform|keystone-mapping|ha|cli|openstack)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  reporters: ['default', '<rootDir>/test/support/closing-line-reporter.js'],
  testTimeout: 120000,
  maxWorkers: 2,
};
