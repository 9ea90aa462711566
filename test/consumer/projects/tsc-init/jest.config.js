/** ts-jest in ESM mode (run jest with NODE_OPTIONS=--experimental-vm-modules), `.js` specifiers. */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};
