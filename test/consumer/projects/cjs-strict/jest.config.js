/** ts-jest, CommonJS project: the standard preset, nothing else. */
module.exports = { preset: 'ts-jest', testEnvironment: 'node' };
