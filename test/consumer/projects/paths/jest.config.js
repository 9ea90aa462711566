/** ts-jest with tsconfig `paths`: jest needs the same alias. */
module.exports = { preset: 'ts-jest', testEnvironment: 'node', moduleNameMapper: { '^@app/(.*)$': '<rootDir>/src/$1' } };
