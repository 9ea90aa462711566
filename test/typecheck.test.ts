import * as path from 'node:path';
import ts from 'typescript';
import { checkFilesWithTsc7, formatDiag } from './types/type-check';

const root = path.resolve(__dirname, '..');

// The whole project (src, tests, examples, bench) must type-check with the strict tsconfig: the examples'
// data flow is only proved when this passes.
it('the project type-checks with tsconfig.json (src, test, examples, bench)', () => {
  const configFile = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const program = ts.createProgram(parsed.fileNames, { ...parsed.options, noEmit: true });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.relative(root, d.file.fileName)}(${d.file.getLineAndCharacterOfPosition(d.start).line + 1})` : '';
    return `${where}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(diagnostics).toEqual([]);
});

// ... and with TypeScript 7, the native compiler `npm i typescript` installs now (stricter in places: it refused a
// `?? {}` after a value that is never nullish).
it('the project type-checks with TypeScript 7 too', () => {
  const configFile = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const { diags, version } = checkFilesWithTsc7(parsed.fileNames);
  expect(version).toMatch(/^Version 7\./);
  expect(diags.map(formatDiag)).toEqual([]);
});
