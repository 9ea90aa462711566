/**
 * `runnable check` in a project whose `typescript` is 7 (no JavaScript compiler API, a native tsc binary): the
 * project's tsc checks the files and the data-flow errors are explained as with TypeScript 5, the names in scope read
 * through TypeScript 7's own (unstable) API; without that API, the output says once that they are not listed.
 *
 * The repo's own `typescript` is 5.9, so each test makes a temp project whose node_modules/typescript is the repo's
 * TypeScript 7 (the `typescript-7` dev dependency) and whose node_modules/runnable-ts is this package.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, ROOT, runnable, tmpDir } from '../helpers/cli';

const NM = path.join(ROOT, 'node_modules');
// TypeScript 7's package folder (the dev dependency `typescript-7`, tools/typescript-7, says where it is)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TS7 = (require('typescript-7') as { packageDir: string }).packageDir;
const FIXTURES = path.join(ROOT, 'test/fixtures/check');

const STEPS = `import 'reflect-metadata';
import { Task, pickled, task } from 'runnable-ts';

@Task({ name: 'load_data', returns: [pickled('df')] })
export class LoadData {
  run() {
    return { df: { rows: [1, 2, 3] } };
  }
}

export const size = task(() => ({ test_size: '0.3' }), { name: 'size', returns: ['test_size'] });

export const cut = task(({ df, test_size }: { df: { rows: number[] }; test_size: number }) => ({ n: df.rows.length * test_size }), { name: 'cut', returns: ['n'] });
`;

/** A temp project: its `typescript` is TypeScript 7 (symlinks inside the temp folder only). */
function ts7Project(tsconfig: object | undefined, typescript: 'link' | 'ts5' | 'without-binary' | 'without-api' = 'link'): string {
  const dir = tmpDir('rt-ts7-');
  const nm = path.join(dir, 'node_modules');
  fs.mkdirSync(path.join(nm, '@types'), { recursive: true });
  if (typescript === 'ts5') {
    fs.symlinkSync(path.join(NM, 'typescript'), path.join(nm, 'typescript'), 'dir');
  } else if (typescript === 'link') {
    fs.symlinkSync(TS7, path.join(nm, 'typescript'), 'dir');
    fs.symlinkSync(path.join(NM, '@typescript'), path.join(nm, '@typescript'), 'dir');
  } else {
    // TypeScript 7's package without its API (dist/: as if a later 7.x moved it), and for 'without-binary' also without
    // its platform package (an optional dependency npm may skip): no binary to run
    for (const f of ['package.json', 'bin', 'lib']) fs.cpSync(path.join(TS7, f), path.join(nm, 'typescript', f), { recursive: true });
    if (typescript === 'without-api') fs.symlinkSync(path.join(NM, '@typescript'), path.join(nm, '@typescript'), 'dir');
  }
  fs.symlinkSync(ROOT, path.join(nm, 'runnable-ts'), 'dir');
  fs.symlinkSync(path.join(NM, 'reflect-metadata'), path.join(nm, 'reflect-metadata'), 'dir');
  fs.symlinkSync(path.join(NM, '@types/node'), path.join(nm, '@types/node'), 'dir');
  fs.mkdirSync(path.join(dir, 'src'));
  if (tsconfig) fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  return dir;
}

// skipLibCheck: the declaration files are not what these tests are about, and checking them makes each run seconds longer
const TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'nodenext', strict: true, experimentalDecorators: true, emitDecoratorMetadata: true, types: ['node'], noEmit: true, skipLibCheck: true },
  include: ['src'],
};

/** What the project folder holds besides node_modules (the temporary tsconfig must be gone). */
const leftovers = (dir: string) => fs.readdirSync(dir).filter((f) => f !== 'node_modules').sort();

describe('runnable check with TypeScript 7 (the tsc binary, no compiler API)', () => {
  it('the temp project really resolves TypeScript 7 with no compiler API', () => {
    const dir = ts7Project(TSCONFIG);
    const ts = require(require.resolve('typescript', { paths: [path.join(dir, 'src')] })) as Record<string, unknown>;
    expect(ts.version).toMatch(/^7\./);
    expect(ts.createProgram).toBeUndefined();
  });

  it('explains a missing input at the step with the names in scope, exit 1', async () => {
    const dir = ts7Project(TSCONFIG);
    fs.copyFileSync(path.join(FIXTURES, 'name-mismatch.ts'), path.join(dir, 'src/name-mismatch.ts'));
    fs.copyFileSync(path.join(FIXTURES, 'composite-attribution.ts'), path.join(dir, 'src/composite-attribution.ts'));
    const out = await runnable(['check', 'src/name-mismatch.ts', 'src/composite-attribution.ts'], { cwd: dir });
    expect(out.code).toBe(1);
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe(
      [
        'src/composite-attribution.ts:13:121 TS2345',
        '  step report:',
        "    ✖ needs input 'squares', but no earlier step returns it and it is not a pipeline parameter.",
        "      Did you mean 'squared' (produced by map 'squares_map')?",
        "      In scope at this step: items (from gen), squared (produced by map 'squares_map').",
        '',
        'src/name-mismatch.ts:21:90 TS2345',
        '  step Preprocess:',
        "    ✖ needs input 'dataframe', but no earlier step returns it and it is not a pipeline parameter.",
        "      Did you mean 'df' (returned by LoadData)?",
        '      In scope at this step: test_size (a pipeline parameter), df (from LoadData).',
        '',
        '❌ 2 errors in 2 files (with tsconfig.json)',
        '',
      ].join('\n'),
    );
    expect(leftovers(dir)).toEqual(['src', 'tsconfig.json']);
  });

  it('without TypeScript 7\'s API: the same errors, and one line saying the names in scope are not listed', async () => {
    const dir = ts7Project(TSCONFIG, 'without-api');
    // text before the step with characters of several UTF-8/UTF-16 lengths: the step is still found at tsc's column
    const source = fs.readFileSync(path.join(FIXTURES, 'name-mismatch.ts'), 'utf8');
    fs.writeFileSync(path.join(dir, 'src/name-mismatch.ts'), source.replace("pipeline('mismatch')", "/* ✖ é 😀 */ pipeline('mismatch')"));
    const out = await runnable(['check', 'src/name-mismatch.ts'], { cwd: dir });
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(
      new RegExp(
        [
          '^src/name-mismatch.ts:21:103 TS2345',
          '  step Preprocess:',
          "    ✖ needs input 'dataframe', but no earlier step returns it and it is not a pipeline parameter.",
          '',
          "\\(TypeScript 7\\.0\\.2: names in scope are not listed; its API failed: Cannot find module '[^\\n]*/node_modules/typescript/dist/api/sync/api\\.js'\\)",
          '❌ 1 error in 1 file \\(with tsconfig.json\\)\n$',
        ].join('\n'),
      ),
    );
    expect(leftovers(dir)).toEqual(['src', 'tsconfig.json']);
  });

  it('explains an input of the wrong type; other errors are tsc\'s own text; only the given files are checked', async () => {
    const dir = ts7Project(TSCONFIG);
    fs.writeFileSync(path.join(dir, 'src/steps.ts'), STEPS);
    // an unrelated broken file in the same project: not one of the files given, so not reported
    fs.writeFileSync(path.join(dir, 'src/unrelated.ts'), 'export const broken: number = "x";\n');
    fs.writeFileSync(
      path.join(dir, 'src/wrong-type.ts'),
      `import { pipeline } from 'runnable-ts';
import { LoadData, cut, size } from './steps.js';

const label: number = 'three';
export default pipeline('wrong').step(LoadData).step(size).step(cut).build();
`,
    );
    const out = await runnable(['check', 'src/wrong-type.ts'], { cwd: dir });
    expect(out.code).toBe(1);
    expect(out.stdout).toContain("src/wrong-type.ts:4:7 TS2322\n  Type 'string' is not assignable to type 'number'.\n");
    expect(out.stdout).toContain(
      "src/wrong-type.ts:5:65 TS2345\n  step cut:\n    ✖ input 'test_size' has the wrong type: the step expects number but returned by size provides string.\n      In scope at this step: df (from LoadData), test_size (from size).\n",
    );
    expect(out.stdout).not.toContain('unrelated');
    expect(out.stdout).toMatch(/❌ 2 errors in 1 file \(with tsconfig.json\)\n$/);
    expect(leftovers(dir)).toEqual(['src', 'tsconfig.json']);
  });

  it('prints exactly what TypeScript 5 prints', async () => {
    const outputs: string[] = [];
    for (const typescript of ['link', 'ts5'] as const) {
      const dir = ts7Project(TSCONFIG, typescript);
      for (const f of ['name-mismatch.ts', 'composite-attribution.ts']) fs.copyFileSync(path.join(FIXTURES, f), path.join(dir, 'src', f));
      fs.writeFileSync(path.join(dir, 'src/plain.ts'), 'export const n: number = "x";\nexport const m = n.nope;\n');
      const out = await runnable(['check', 'src/name-mismatch.ts', 'src/composite-attribution.ts', 'src/plain.ts'], { cwd: dir });
      expect(out.code).toBe(1);
      outputs.push(out.stdout);
    }
    const [ts7, ts5] = outputs as [string, string];
    expect(ts5).toContain("Did you mean 'df' (returned by LoadData)?"); // the TypeScript 5 path really ran
    expect(ts7).toBe(ts5);
  });

  it('passes a correct file: exit 0', async () => {
    const dir = ts7Project(TSCONFIG);
    fs.writeFileSync(path.join(dir, 'src/steps.ts'), STEPS);
    fs.writeFileSync(
      path.join(dir, 'src/good.ts'),
      `import { pipeline } from 'runnable-ts';
import { LoadData, cut } from './steps.js';

export default pipeline('good').params<{ test_size: number }>().step(LoadData).step(cut).build();
`,
    );
    const out = await runnable(['check', 'src/good.ts'], { cwd: dir });
    expect(out.stdout).toBe("✅ 1 file type-checks (with tsconfig.json): every step's inputs are provided\n");
    expect(out.code).toBe(0);
    expect(leftovers(dir)).toEqual(['src', 'tsconfig.json']);
  });

  it('without a tsconfig: the same default options as with TypeScript 5', async () => {
    const dir = ts7Project(undefined);
    fs.copyFileSync(path.join(FIXTURES, 'name-mismatch.ts'), path.join(dir, 'src/name-mismatch.ts'));
    const out = await runnable(['check', 'src/name-mismatch.ts'], { cwd: dir });
    expect(out.code).toBe(1);
    expect(out.stdout).toContain("src/name-mismatch.ts:21:90 TS2345\n  step Preprocess:\n    ✖ needs input 'dataframe'");
    expect(out.stdout).toContain('In scope at this step: test_size (a pipeline parameter), df (from LoadData).');
    expect(out.stdout).toMatch(/❌ 1 error in 1 file\n$/);
    expect(leftovers(dir)).toEqual(['src']);
  });

  it('TypeScript 7 without its platform binary: a usage error naming the fix, no stack trace', async () => {
    const dir = ts7Project(TSCONFIG, 'without-binary');
    fs.copyFileSync(path.join(FIXTURES, 'name-mismatch.ts'), path.join(dir, 'src/name-mismatch.ts'));
    const out = await runnable(['check', 'src/name-mismatch.ts'], { cwd: dir });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("could not run TypeScript 7.0.2's compiler");
    expect(out.stderr).toContain('Unable to resolve @typescript/typescript-');
    expect(out.stderr).toContain('npm install --save-dev typescript');
    expect(out.stderr).not.toMatch(/^\s+at /m);
    expect(leftovers(dir)).toEqual(['src', 'tsconfig.json']);
  });

  it('Ctrl-C while tsc runs: exit 130 and the temporary tsconfig is removed', async () => {
    // the declaration files checked too (skipLibCheck off): tsc runs long enough to be interrupted
    const dir = ts7Project({ ...TSCONFIG, compilerOptions: { ...TSCONFIG.compilerOptions, skipLibCheck: false } });
    fs.copyFileSync(path.join(FIXTURES, 'name-mismatch.ts'), path.join(dir, 'src/name-mismatch.ts'));
    const child = spawn(process.execPath, [BIN, 'check', 'src/name-mismatch.ts'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // interrupt as soon as the temporary tsconfig exists (tsc then runs for about a second)
    while (!leftovers(dir).some((f) => f.startsWith('tsconfig.runnable-check-')) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    expect(child.exitCode).toBeNull();
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(leftovers(dir)).toEqual(['src', 'tsconfig.json']);
  });
});
