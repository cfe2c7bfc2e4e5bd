module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.js'],
  snapshotSerializers: ['miniprogram-simulate/jest-snapshot-plugin'],
  setupFiles: ['<rootDir>/tests/setup.js'],
  setupFilesAfterEnv: ['<rootDir>/tests/record.js'],
  testPathIgnorePatterns: ['/node_modules/', '/tests/e2e/'],
}
