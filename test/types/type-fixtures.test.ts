/**
 * Type-level tests: every file under test/type-fixtures/ is compiled (ONE program, the project's compiler options)
 * and its diagnostics are compared with what the fixture promises.
 *
 *  - ok/*.ts   must compile with zero errors.
 *  - bad/*.ts  mark each line that must fail with `// @expect-error <fragment>` directly above it (several markers may
 *              be stacked above one line). Every marked line must have an error whose flattened message contains the
 *              fragment, every error on a marked line must match one of its fragments, and no other line may have
 *              an error.
 *  - A fixture containing `// @known-bug <why>` documents behaviour that src does not deliver yet: it is run with
 *    it.failing, so the suite stays green while the bug exists and goes red (prompting removal of the marker) once
 *    src is fixed.
 *
 * Two generated 200-step pipelines (scale: no TS2589, no diagnostics; one broken step gives exactly one error) and
 * the whole project (src, tests, examples, bench, scripts: no diagnostics) are checked in the same program: building
 * it (the libraries included) is most of the cost.
 *
 * Everything runs twice: with the repo's TypeScript 5 (its JS API) and with TypeScript 7, the native compiler that
 * `npm i -D typescript` installs now (dev dependency `typescript-7`, run as `tsc -p`, its output parsed). What the
 * compiler proves must not depend on which of the two a user has.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkFiles, checkFilesWithTsc7, FIXTURES, formatDiag, parseExpectations, projectCompilerOptions, projectFiles, ROOT, type Compiler, type Diag } from './type-check';

interface Fixture {
  kind: 'ok' | 'bad';
  /** Relative to test/type-fixtures, e.g. 'bad/builder-name-mismatch.ts'. */
  name: string;
  file: string;
  knownBug?: string;
}

function listFixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const kind of ['ok', 'bad'] as const) {
    const dir = path.join(FIXTURES, kind);
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts')).sort()) {
      const file = path.join(dir, f);
      const knownBug = /\/\/\s*@known-bug\s+(.*)$/m.exec(fs.readFileSync(file, 'utf8'))?.[1].trim();
      out.push({ kind, name: `${kind}/${f}`, file, knownBug });
    }
  }
  return out;
}

const fixtures = listFixtures();

/** The whole suite under one compiler: one program of every fixture and the generated pipelines. */
function suiteFor(compiler: Compiler): void {
  let byFile: Map<string, Diag[]>;
  let others: Diag[];
  let checkMs = 0;

  const SCALE_N = 200;
  let scaleFiles: { dir: string; good: string; bad: string; brokenLine: number } | undefined;
  let program: { diags: Diag[]; ms: number } | undefined;

  /** The one program: every fixture and the two generated scale pipelines. */
  function checkAll(): { diags: Diag[]; ms: number } {
    if (!program) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runnable-ts-scale-'));
      // An absolute, extension-less path: the generated file is a CommonJS module (no package.json above it in
      // the temp dir), and CommonJS-mode resolution under module nodenext accepts it.
      const indexImport = path.join(ROOT, 'src', 'index').split(path.sep).join('/');
      const good = path.join(dir, `pipeline-${SCALE_N}.ts`);
      fs.writeFileSync(good, generatePipeline(SCALE_N, indexImport).source);
      const bad = path.join(dir, `pipeline-${SCALE_N}-bad.ts`);
      const { source, brokenLine } = generatePipeline(SCALE_N, indexImport, SCALE_N / 2);
      fs.writeFileSync(bad, source);
      scaleFiles = { dir, good: path.resolve(good), bad: path.resolve(bad), brokenLine: brokenLine! };
      // the whole project too (src, tests, examples, bench): its files must have no diagnostics, and one program
    // for both costs a TypeScript 5 program less than checking the project on its own
    const files = [...new Set([...fixtures.map((f) => path.resolve(f.file)), good, bad, ...projectFiles()])];
      program = compiler === 'TypeScript 7' ? checkFilesWithTsc7(files) : checkFiles(files, projectCompilerOptions());
    }
    return program;
  }

  afterAll(() => {
    if (scaleFiles) fs.rmSync(scaleFiles.dir, { recursive: true, force: true });
  });

  beforeAll(() => {
    const { diags, ms } = checkAll();
    checkMs = ms;
    const fixtureFiles = new Set(fixtures.map((f) => path.resolve(f.file)));
    byFile = new Map(fixtures.map((f) => [path.resolve(f.file), [] as Diag[]]));
    others = [];
    for (const d of diags) {
      if (fixtureFiles.has(d.file)) byFile.get(d.file)!.push(d);
      else if (d.file !== scaleFiles!.good && d.file !== scaleFiles!.bad) others.push(d);
    }
    for (const list of byFile.values()) list.sort((a, b) => a.line - b.line || a.column - b.column);
  });

  const msg = (d: Diag) => `TS${d.code}: ${d.message.replace(/\n/g, '\n        ')}`;

  /** Everything wrong with one fixture, as readable lines (empty = the fixture behaves as promised). */
  function problemsOf(fx: Fixture): string[] {
    const source = fs.readFileSync(fx.file, 'utf8');
    const diags = byFile.get(path.resolve(fx.file)) ?? [];
    const expectations = parseExpectations(source);
    const problems: string[] = [];
    if (fx.kind === 'ok') {
      if (expectations.length) problems.push(`ok fixture contains // @expect-error markers (lines ${expectations.map((e) => e.markerLine).join(', ')}); move it to bad/`);
      for (const d of diags) problems.push(`unexpected error at line ${d.line}: ${msg(d)}`);
      return problems;
    }
    if (!expectations.length) problems.push('bad fixture has no // @expect-error markers');
    const byLine = new Map<number, string[]>();
    for (const e of expectations) byLine.set(e.targetLine, [...(byLine.get(e.targetLine) ?? []), e.fragment]);
    for (const e of expectations) {
      const onLine = diags.filter((d) => d.line === e.targetLine);
      if (!onLine.some((d) => d.message.includes(e.fragment))) {
        problems.push(
          `line ${e.targetLine} (marker at line ${e.markerLine}): expected an error containing\n      ${JSON.stringify(e.fragment)}\n    ` +
            (onLine.length ? `but the errors on that line are:\n${onLine.map((d) => `      ${msg(d)}`).join('\n')}` : 'but that line has no error'),
        );
      }
    }
    for (const d of diags) {
      const fragments = byLine.get(d.line);
      if (!fragments) problems.push(`unexpected error on unmarked line ${d.line}: ${msg(d)}`);
      else if (!fragments.some((f) => d.message.includes(f))) {
        problems.push(`error on line ${d.line} matches none of its markers ${JSON.stringify(fragments)}: ${msg(d)}`);
      }
    }
    return problems;
  }

  function assertFixture(fx: Fixture): void {
    const problems = problemsOf(fx);
    if (!problems.length) return;
    const diags = byFile.get(path.resolve(fx.file)) ?? [];
    throw new Error(
      `${fx.name} does not behave as promised:\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        `\n\nAll diagnostics of ${fx.name} (${diags.length}):\n` +
        (diags.length ? diags.map((d) => '  ' + formatDiag(d)).join('\n') : '  (none)'),
    );
  }

  describe(`type fixtures (test/type-fixtures), ${compiler}`, () => {
    it('has ok and bad fixtures, and nothing outside ok/ and bad/', () => {
      expect(fixtures.filter((f) => f.kind === 'ok').length).toBeGreaterThanOrEqual(8);
      expect(fixtures.filter((f) => f.kind === 'bad').length).toBeGreaterThanOrEqual(14);
      const stray = fs.readdirSync(FIXTURES).filter((n) => n !== 'ok' && n !== 'bad');
      expect(stray).toEqual([]);
    });

    // the project's own files (src, test, examples, bench, scripts) are in the same program: the examples' data flow is
    // only proved when this passes
    it('produces no diagnostics outside the fixture files (the whole project: src, tests, examples, bench; libraries; global)', () => {
      console.log(`type fixtures (${compiler}): ${fixtures.length} files checked in one program in ${checkMs.toFixed(0)} ms`);
      if (others.length) throw new Error(`diagnostics outside the fixtures:\n${others.map((d) => '  ' + formatDiag(d)).join('\n')}`);
    });

    const current = fixtures.filter((f) => !f.knownBug);
    it.each(current.map((f) => [f.name, f] as const))('%s', (_name, fx) => assertFixture(fx));

    const knownBugs = fixtures.filter((f) => f.knownBug);
    if (knownBugs.length) {
      // Passes while the bug is present; fails ("passed unexpectedly") once src is fixed: then remove the marker.
      it.failing.each(knownBugs.map((f) => [f.name, f.knownBug!, f] as const))('%s [KNOWN BUG: %s]', (_name, _why, fx) => assertFixture(fx));
    }
  });

  describe(`scale: generated 200-step pipeline, ${compiler}`, () => {
    const N = SCALE_N;
    /** The program's diagnostics of one generated file, and those outside every fixture and generated file. */
    const diagsOf = (file: string): Diag[] => {
      const { diags } = checkAll();
      const fixtureFiles = new Set(fixtures.map((f) => path.resolve(f.file)));
      return diags.filter((d) => d.file === file || (!fixtureFiles.has(d.file) && d.file !== scaleFiles!.good && d.file !== scaleFiles!.bad));
    };

    it(`type-checks ${N} chained .step() calls with no diagnostics (no TS2589)`, () => {
      const { ms } = checkAll();
      const file = scaleFiles!.good;
      const diags = diagsOf(file);
      console.log(`scale: ${N}-step pipelines type-checked with the fixtures in ${(ms / 1000).toFixed(2)} s (createProgram + getPreEmitDiagnostics)`);
      const deep = diags.filter((d) => d.code === 2589);
      if (diags.length) {
        throw new Error(
          `${diags.length} diagnostic(s) (${deep.length} × TS2589) in the generated ${N}-step pipeline ${file}:\n` +
            diags.slice(0, 20).map((d) => '  ' + formatDiag(d)).join('\n'),
        );
      }
    });

    it(`still reports exactly one error for one broken step in a ${N}-step pipeline (the check is not degraded to any)`, () => {
      const { ms } = checkAll();
      const { bad: file, brokenLine } = scaleFiles!;
      const diags = diagsOf(file);
      console.log(`scale: ${N}-step pipeline with one broken step type-checked with the fixtures in ${(ms / 1000).toFixed(2)} s`);
      const inFile = diags.filter((d) => d.file === path.resolve(file));
      const ok =
        diags.length === 1 && inFile.length === 1 && inFile[0].line === brokenLine && inFile[0].message.includes(`✖ missing input 'nope'`);
      if (!ok) {
        throw new Error(
          `expected exactly one diagnostic, "✖ missing input 'nope'" at ${path.basename(file)} line ${brokenLine}; got ${diags.length}:\n` +
            diags.slice(0, 20).map((d) => '  ' + formatDiag(d)).join('\n'),
        );
      }
    });
  });
}

suiteFor('TypeScript 5');
suiteFor('TypeScript 7');

// The strictest options users turn on change what optional properties and index reads mean: the `ok` fixtures must
// still compile (checked with TypeScript 7, whose program takes a second; docs/type-safety.md, "TypeScript versions").
it('the ok fixtures compile with exactOptionalPropertyTypes and noUncheckedIndexedAccess (TypeScript 7)', () => {
  const ok = fixtures.filter((f) => f.kind === 'ok' && !f.knownBug).map((f) => f.file);
  const { diags } = checkFilesWithTsc7(ok, { exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true });
  expect(diags.map(formatDiag)).toEqual([]);
});

/**
 * A generated N-step pipeline of decorated classes: step i reads v{i-1} and v{floor(i/2)} and returns v{i}; the value
 * types alternate number/string; every 4th run() is async. The context grows to N names (the worst case, §4).
 */
function generatePipeline(n: number, indexImport: string, breakAt?: number): { source: string; brokenLine?: number } {
  const type = (i: number) => (i % 2 === 0 ? 'number' : 'string');
  const lines: string[] = [`import { Task, pipeline } from ${JSON.stringify(indexImport)};`, ''];
  for (let i = 0; i < n; i++) {
    const ins = i === 0 ? [] : [...new Set([i - 1, Math.floor(i / 2)])];
    const param = ins.length ? `{ ${ins.map((j) => `v${j}`).join(', ')} }: { ${ins.map((j) => `v${j}: ${type(j)}`).join('; ')} }` : '';
    const used = ins.map((j) => `String(v${j})`).join(' + ') || `'start'`;
    const value = type(i) === 'number' ? `(${used}).length` : `${used} + '.'`;
    lines.push(
      `@Task({ returns: ['v${i}'] })`,
      `export class S${i} {`,
      `  ${i % 4 === 3 ? 'async ' : ''}run(${param}) {`,
      `    return { v${i}: ${value} };`,
      `  }`,
      `}`,
    );
  }
  // the step used at breakAt reads a name nobody returns
  if (breakAt !== undefined) {
    lines.push(`@Task({ returns: ['broken'] })`, `export class Broken {`, `  run({ nope }: { nope: number }) {`, `    return { broken: nope };`, `  }`, `}`);
  }
  lines.push('', `export default pipeline('scale')`);
  let brokenLine: number | undefined;
  for (let i = 0; i < n; i++) {
    if (i === breakAt) {
      lines.push(`  .step(Broken)`);
      brokenLine = lines.length;
    }
    lines.push(`  .step(S${i})`);
  }
  lines.push('  .build();', '');
  return { source: lines.join('\n'), brokenLine };
}

