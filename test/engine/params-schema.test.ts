/**
 * Issue 13, parts 2 and 3 in process: parameters validated by a Standard Schema (zod, valibot, an async one) before
 * any run log exists, required parameters without a schema, RUNNABLE_PRM_ name matching, the message of a step that
 * read a name nothing provided, and execute()'s typed values / load().
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import * as v from 'valibot';
import { pipeline, task, pickled, metric, loadArtifact, ExecutionFailedError, ParameterValidationError, type Reporter, type StandardSchemaV1 } from '../../src/index';
import { resolveRunParameters, schemaNames } from '../../src/engine/param-check';
import { inMemory } from '../helpers/memory-run';
import { Serializable } from '../../src/serialization';

const split = task(({ test_size, n_estimators }: { test_size: number; n_estimators: number }) => ({ rows: Math.round(100 * (1 - test_size)) * n_estimators }), {
  name: 'split',
  returns: ['rows'],
});
let ran = 0;
const counted = task(({ rows }: { rows: number }) => ((ran += 1), { seen: rows }), { name: 'counted', returns: ['seen'] });

const zodPipeline = pipeline('zod-params')
  .params(z.object({ test_size: z.number().gt(0).lt(1).default(0.2), n_estimators: z.number().int().min(1) }))
  .step(split)
  .step(counted)
  .build();

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-params-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function warnings(): { reporter: Reporter; lines: string[] } {
  const lines: string[] = [];
  const reporter = { runStarted() {}, runFinished() {}, stepStarted() {}, stepFinished() {}, warn: (m: string) => lines.push(m) } as unknown as Reporter;
  return { reporter, lines };
}

async function rejection(p: Promise<unknown>): Promise<ParameterValidationError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParameterValidationError);
  return err as ParameterValidationError;
}

describe('parameters validated by a schema', () => {
  it('fills in schema defaults (recorded with source default) and coerces given values', async () => {
    const opts = inMemory({ env: { RUNNABLE_PRM_n_estimators: '3' } });
    const result = await zodPipeline.execute(opts);
    expect(result.values.rows).toBe(240);
    expect(result.runLog.parameters.test_size).toMatchObject({ kind: 'json', value: 0.2 });
    expect(result.runLog.run_config.parameter_sources).toEqual({ test_size: 'default', n_estimators: 'env:RUNNABLE_PRM_n_estimators' });

    const coercing = pipeline('coerce')
      .params(z.object({ test_size: z.coerce.number(), n_estimators: z.coerce.number().int() }))
      .step(split)
      .build();
    const r = await coercing.execute(inMemory({ params: { test_size: '0.5', n_estimators: '2' } }));
    expect(r.runLog.parameters.test_size!.value).toBe(0.5);
    expect(r.runLog.parameters.n_estimators!.value).toBe(2);
    expect(r.values.rows).toBe(100);
  });

  it('reports every problem at once with its source, before any run log exists', async () => {
    const file = tmpFile('params.yaml', '# experiment\nmodel: forest\nn_estimators: 0\n');
    const opts = inMemory({ parametersFile: file, env: { RUNNABLE_PRM_test_size: 'abc' } });
    ran = 0;
    const err = await rejection(zodPipeline.execute(opts));
    expect(err.problems).toEqual([
      { name: 'test_size', source: 'RUNNABLE_PRM_test_size=abc', message: expect.stringMatching(/expected number, received string/) },
      { name: 'n_estimators', source: `${file}:3`, message: expect.stringMatching(/Too small: expected number to be >=1/) },
    ]);
    expect(err.message).toMatch(/^2 parameters of pipeline 'zod-params' are not valid; nothing ran:\n {2}- test_size \(RUNNABLE_PRM_test_size=abc\): .*\n {2}- n_estimators \(.*params\.yaml:3\): /);
    expect(ran).toBe(0);
    expect(await opts.runLogStore.list()).toEqual([]);
  });

  it('a parameter no source gives is reported as not given; an execute({ params }) value names its source', async () => {
    const err = await rejection(zodPipeline.execute(inMemory()));
    expect(err.problems).toEqual([{ name: 'n_estimators', source: 'not given', message: expect.stringMatching(/expected number, received undefined/) }]);
    const api = await rejection(zodPipeline.execute(inMemory({ params: { n_estimators: 1.5 } })));
    expect(api.problems).toEqual([{ name: 'n_estimators', source: 'execute({ params })', message: expect.stringMatching(/expected int/) }]);
  });

  it('nested paths are named in full', async () => {
    const p = pipeline('nested')
      .params(z.object({ grid: z.object({ depth: z.array(z.number().int()) }) }))
      .step(task(({ grid }: { grid: { depth: number[] } }) => ({ n: grid.depth.length }), { name: 'count', returns: ['n'] }))
      .build();
    const err = await rejection(p.execute(inMemory({ params: { grid: { depth: [1, 'x'] } } })));
    expect(err.problems).toEqual([{ name: 'grid.depth[1]', source: 'execute({ params })', message: expect.any(String) }]);
  });

  it('works with valibot and with an async schema', async () => {
    const vp = pipeline('valibot').params(v.object({ test_size: v.optional(v.number(), 0.5), n_estimators: v.number() })).step(split).build();
    expect((await vp.execute(inMemory({ params: { n_estimators: 2 } }))).values.rows).toBe(100);
    const verr = await rejection(vp.execute(inMemory({ env: { RUNNABLE_PRM_n_estimators: '"two"' } })));
    expect(verr.problems).toEqual([{ name: 'n_estimators', source: 'RUNNABLE_PRM_n_estimators="two"', message: expect.stringMatching(/Expected number/) }]);

    const checked = new Set<number>();
    const asyncSchema = z.object({ test_size: z.number().default(0.5), n_estimators: z.number().refine(async (n) => (await Promise.resolve(checked.add(n)), n < 10), 'at most 9 trees') });
    const ap = pipeline('async').params(asyncSchema).step(split).build();
    expect((await ap.execute(inMemory({ params: { n_estimators: 3 } }))).values.rows).toBe(150);
    const aerr = await rejection(ap.execute(inMemory({ params: { n_estimators: 30 } })));
    expect(aerr.problems).toEqual([{ name: 'n_estimators', source: 'execute({ params })', message: 'at most 9 trees' }]);
    expect([...checked].sort((a, b) => a - b)).toEqual([3, 30]);
  });

  it('a hand-written Standard Schema works (no library)', async () => {
    const schema: StandardSchemaV1<{ n_estimators: number }, { n_estimators: number; test_size: number }> = {
      '~standard': {
        version: 1,
        vendor: 'hand',
        validate: (value) => {
          const n = (value as { n_estimators?: unknown }).n_estimators;
          return typeof n === 'number' ? { value: { n_estimators: n, test_size: 0.5 } } : { issues: [{ message: 'needs a number', path: [{ key: 'n_estimators' }] }] };
        },
      },
    };
    const p = pipeline('hand').params(schema).step(split).build();
    expect((await p.execute(inMemory({ params: { n_estimators: 4 } }))).values.rows).toBe(200);
    expect((await rejection(p.execute(inMemory()))).problems).toEqual([{ name: 'n_estimators', source: 'not given', message: 'needs a number' }]);
  });

  it('finds the declared names of zod and valibot schemas', async () => {
    expect((await schemaNames(z.object({ a: z.number(), b: z.string().optional() }))).sort()).toEqual(['a', 'b']);
    expect((await schemaNames(v.object({ a: v.number(), b: v.optional(v.string()) }))).sort()).toEqual(['a', 'b']);
  });
});

describe('RUNNABLE_PRM_ variables', () => {
  it('reach a declared name case-insensitively; the exact name comes first', async () => {
    const r = await zodPipeline.execute(inMemory({ env: { RUNNABLE_PRM_TEST_SIZE: '0.5', RUNNABLE_PRM_N_ESTIMATORS: '2' } }));
    expect(r.runLog.parameters.test_size!.value).toBe(0.5);
    expect(r.runLog.run_config.parameter_sources).toMatchObject({ test_size: 'env:RUNNABLE_PRM_TEST_SIZE', n_estimators: 'env:RUNNABLE_PRM_N_ESTIMATORS' });

    const { reporter, lines } = warnings();
    const both = await zodPipeline.execute(inMemory({ reporter, env: { RUNNABLE_PRM_TEST_SIZE: '0.5', RUNNABLE_PRM_test_size: '0.25', RUNNABLE_PRM_n_estimators: '1' } }));
    expect(both.runLog.parameters.test_size!.value).toBe(0.25);
    expect(lines).toEqual(["RUNNABLE_PRM_TEST_SIZE is ignored: RUNNABLE_PRM_test_size already sets parameter 'test_size' (exact names come first)."]);
  });

  it('an ambiguous name is an error naming both parameters', async () => {
    const p = pipeline('ambiguous').params<{ rate?: number; Rate?: number }>({ rate: 1, Rate: 2 }).step(task(() => ({ ok: true }), { name: 'ok', returns: ['ok'] })).build();
    const err = await rejection(p.execute(inMemory({ env: { RUNNABLE_PRM_RATE: '3' } })));
    expect(err.problems).toEqual([{ name: 'RATE', source: 'RUNNABLE_PRM_RATE=3', message: "the name matches the parameters 'Rate' and 'rate' when case is ignored; use the exact name (e.g. RUNNABLE_PRM_Rate)" }]);
  });

  it('a value that is not JSON is kept as a string with a warning (no schema)', async () => {
    const p = pipeline('plain').params<{ label?: string }, 'label'>({ label: 'x' }).step(task(({ label }: { label: string }) => ({ out: `${label}!` }), { name: 'shout', returns: ['out'] })).build();
    const { reporter, lines } = warnings();
    const r = await p.execute(inMemory({ reporter, env: { RUNNABLE_PRM_label: 'not json' } }));
    expect(r.values.out).toBe('not json!');
    expect(lines).toEqual([`Parameter 'label' (RUNNABLE_PRM_label) could not be JSON decoded, adding the literal value "not json".`]);
  });

  it('fuzz: every variable reaches the one declared name it matches, exactly or case-insensitively, or is an error', async () => {
    const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(name, { minLength: 1, maxLength: 4 }), fc.uniqueArray(name, { maxLength: 4 }), fc.integer(), async (declared, vars, value) => {
        const env: NodeJS.ProcessEnv = Object.fromEntries(vars.map((n) => [`RUNNABLE_PRM_${n}`, String(value)]));
        const defaults = Object.fromEntries(declared.map((d) => [d, 'default']));
        const exact = new Set(vars.filter((n) => declared.includes(n)));
        const target = (n: string): string[] => (declared.includes(n) ? [n] : declared.filter((d) => d.toLowerCase() === n.toLowerCase()));
        const ambiguous = vars.filter((n) => target(n).length > 1);
        const run = resolveRunParameters({ pipelineName: 'fuzz', defaults, spec: {}, env, warn: () => undefined });
        if (ambiguous.length) {
          const err = await rejection(run);
          expect(err.problems.map((p) => p.name).sort()).toEqual([...ambiguous].sort());
          return;
        }
        const { params, sources } = await run;
        for (const n of vars) {
          const t = target(n);
          if (t.length === 0) {
            expect(params[n]!.value).toBe(value);
            expect(sources[n]).toBe(`env:RUNNABLE_PRM_${n}`);
          } else if (exact.has(t[0]!) && t[0] !== n) {
            expect(sources[t[0]!]).toBe(`env:RUNNABLE_PRM_${t[0]}`); // the exact variable wins
          } else {
            expect(params[t[0]!]!.value).toBe(value);
            expect(String(sources[t[0]!])).toMatch(/^env:RUNNABLE_PRM_/);
          }
        }
        for (const d of declared) if (!vars.some((n) => target(n).includes(d))) expect(params[d]!.value).toBe('default');
      }),
      { numRuns: 300 },
    );
  });
});

describe('required parameters without a schema', () => {
  const double = task(({ x }: { x: number }) => ({ doubled: x * 2 }), { name: 'double', returns: ['doubled'] });

  it('a missing required parameter stops the run before any run log', async () => {
    const p = pipeline('req').params<{ x: number; factor?: number }, 'factor'>({ factor: 2 }, { required: ['x'] }).step(double).build();
    const opts = inMemory();
    const err = await rejection(p.execute(opts));
    expect(err.problems).toEqual([{ name: 'x', source: 'not given', message: expect.stringMatching(/^the pipeline requires it \(params\(defaults, \{ required \}\)\) and nothing provided it: add 'x: <value>' to the parameters file, set RUNNABLE_PRM_x/) }]);
    expect(await opts.runLogStore.list()).toEqual([]);
    expect((await p.execute(inMemory({ env: { RUNNABLE_PRM_X: '4' } }))).values.doubled).toBe(8);
  });

  it('refuses a required name that has a default', () => {
    expect(() => (pipeline('bad') as any).params({ x: 1 }, { required: ['x'] })).toThrow("pipeline 'bad': params(): 'x' has a default, so it is never missing; remove it from 'required'.");
  });

  it('a step that fails after reading a name nothing provided says so first', async () => {
    const p = pipeline('undeclared').params<{ x: number }>().step(double).build();
    const err = (await p.execute(inMemory()).catch((e: unknown) => e)) as ExecutionFailedError;
    expect(err).toBeInstanceOf(ExecutionFailedError);
    expect(err.message).toMatch(/step 'double': it read 'x', which no earlier step returned and no parameter provided \(in scope: nothing;.*\)\. Then: ReturnsMismatchError: Step 'double': return 'doubled' is not a JSON value \(NaN/);
  });
});

@Serializable()
class Forest {
  constructor(readonly trees = 0) {}
  size(): number {
    return this.trees;
  }
}

describe('typed results', () => {
  const train = task(({ n }: { n: number }) => ({ model_data: new Forest(n) }), { name: 'train', returns: [pickled('model_data')] });
  const score = task(({ model_data }: { model_data: Forest }) => ({ accuracy: model_data.size() / 10, report: 'done' }), { name: 'score', returns: [metric('accuracy'), 'report'] });
  const trained = pipeline('typed').params(z.object({ n: z.number().default(7) })).step(train).step(score).build();

  it('execute() resolves with the final values; pickled ones are loaded when read', async () => {
    const opts = inMemory();
    const r = await trained.execute(opts);
    expect(r.values.accuracy).toBe(0.7);
    expect(r.values.report).toBe('done');
    expect(r.values.model_data).toBeInstanceOf(Forest);
    expect(r.values.model_data.size()).toBe(7);
    expect(r.values.model_data).toBe(r.values.model_data); // loaded once
    const loaded = await r.load('model_data');
    expect(loaded.size()).toBe(7);
    expect(Object.keys(r.values).sort()).toEqual(['accuracy', 'model_data', 'n', 'report']);
    await expect((r as { load(n: string): Promise<unknown> }).load('nope')).rejects.toThrow(`Run ${r.runId} has no value named 'nope'. Its values: n, model_data, accuracy, report.`);
  });

  it('pipeline.load and loadArtifact(pipeline, ...) read an earlier run, typed', async () => {
    const opts = inMemory();
    const { runId } = await trained.execute(opts);
    const stores = { runLogStore: opts.runLogStore, catalog: opts.catalog };
    const m = await trained.load(runId, 'model_data', stores);
    expect(m.size()).toBe(7);
    const acc = await loadArtifact(trained, runId, 'accuracy', stores);
    expect(acc).toBe(0.7);
    expect(await loadArtifact<number>(runId, 'accuracy', stores)).toBe(0.7);
  });
});
