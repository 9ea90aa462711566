import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import YAML from 'yaml';
import { tmpDir } from '../helpers/cli';
import { HEAVY } from './ownership-helpers';
import { inMemory } from '../helpers/memory-run';
import { ParameterError, ReturnsMismatchError, RunnableError, ValueTooLargeError, pipeline, task } from '../../src/index';
import { parametersFromEnv, readParametersFileWithLines } from '../../src/engine/params';
import { initialParameters } from '../../src/engine/param-check';
import { ConfigError, loadConfig, normalizeConfig } from '../../src/config/load';
import { checkReturns } from '../../src/engine/returns';
import { checkInlineSize } from '../../src/engine/inline-limit';
import { json, metric } from '../../src/sdk/returns';

/*
 * Fuzzing what a user (or someone else) can feed the engine: parameter names and values from the environment and
 * parameters files, configuration files, and values steps return. The property is always the same: the input is
 * accepted, or refused with a typed error whose message names the offending value; never an uncaught TypeError,
 * RangeError or stack trace.
 */

const RUNS = HEAVY ? 5_000 : 200;
const counted = { cases: 0 };
afterAll(() => {
  // the figure for the closing note: how many fuzz cases ran
  process.stdout.write(`untrusted-fuzz: ${counted.cases} fuzz cases (${HEAVY ? 'heavy' : 'CI'} setting)\n`);
});
const assertProp = <T>(prop: fc.IAsyncPropertyWithHooks<T> | fc.IPropertyWithHooks<T>, runs = RUNS) => {
  counted.cases += runs;
  return fc.assert(prop as never, { numRuns: runs });
};

/** Names that stress objects and paths. */
const nasty = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '../x', 'a/b', '', ' ', 'é', '\u0000', '$x', '${HOME}');
const name = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), nasty);
const RESERVED = ['__proto__', 'constructor', 'prototype'];

/** The error is typed, and its message names `value`. */
function expectTyped(err: unknown, type: new (...a: never[]) => RunnableError, value: string): void {
  if (!(err instanceof type)) throw new Error(`expected a ${type.name}, got ${err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err)}`);
  if (!err.message.includes(value)) throw new Error(`the ${type.name} message does not name '${value}': ${err.message}`);
}

describe('fuzz: parameters from the environment', () => {
  it('every variable is accepted as its JSON value (or its string), or refused with a ParameterError naming it', () =>
    assertProp(
      fc.property(fc.dictionary(name, fc.oneof(fc.string({ unit: 'binary' }), fc.json()), { maxKeys: 6 }), (vars) => {
        const env: NodeJS.ProcessEnv = {};
        for (const [k, v] of Object.entries(vars)) env[`RUNNABLE_PRM_${k}`] = v;
        let result: ReturnType<typeof initialParameters>;
        try {
          result = initialParameters({ defaults: {}, env });
        } catch (err) {
          const bad = Object.keys(vars).filter((k) => RESERVED.includes(k));
          if (!bad.length) throw err;
          expectTyped(err, ParameterError, 'RUNNABLE_PRM_');
          expect(bad.some((b) => (err as Error).message.includes(`'${b}' (from the environment variable RUNNABLE_PRM_${b})`))).toBe(true);
          return;
        }
        for (const { name: n, value, variable } of parametersFromEnv(env)) {
          expect(Object.prototype.hasOwnProperty.call(result.params, n)).toBe(true);
          expect(result.params[n]!.value).toEqual(value);
          expect(result.sources[n]).toBe(`env:${variable}`);
        }
        expect(Object.getPrototypeOf(result.params)).toBe(Object.prototype);
      }),
    ));
});

describe('fuzz: parameters files', () => {
  const dir = tmpDir('rt-fuzz-');
  const file = path.join(dir, 'params.yaml');
  const content = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.json(),
    fc.dictionary(name, fc.jsonValue(), { maxKeys: 5 }).map((o) => YAML.stringify(o)),
    fc.constantFrom('a: &x [1]\nb: *x\n', 'a: *nope\n', '!!binary AAAA', '- 1\n- 2\n', '? [1]\n: 2\n', 'a: 1\na: 2\n', '{', '\ufeffa: 1', 'x: !!js/function "f(){}"'),
  );
  it('a file is read as a mapping, or refused with a ParameterError naming the file (or the parameter)', () =>
    assertProp(
      fc.property(content, (text) => {
        fs.writeFileSync(file, text);
        let data: Record<string, unknown>;
        try {
          data = readParametersFileWithLines(file).data;
        } catch (err) {
          expectTyped(err, ParameterError, file);
          return;
        }
        expect(typeof data === 'object' && data !== null && !Array.isArray(data)).toBe(true);
        try {
          const { params } = initialParameters({ defaults: {}, parametersFile: file, env: {} });
          for (const k of Object.keys(data)) expect(params[k]!.value).toEqual(data[k]);
        } catch (err) {
          const bad = Object.keys(data).filter((k) => RESERVED.includes(k));
          if (!bad.length) throw err;
          expectTyped(err, ParameterError, file);
          expect(bad.some((b) => (err as Error).message.includes(`Parameter name '${b}'`))).toBe(true);
        }
      }),
    ));
});

describe('fuzz: configuration', () => {
  const sections = fc.constantFrom('executor', 'pipeline-executor', 'runLogStore', 'run_log_store', 'catalog', 'secrets', 'bogus', '__proto__', 'constructor');
  const types = fc.constantFrom('local', 'file-system', 'chunked-fs', 'memory', 'env', 'dotenv', 'do-nothing', 'nope', '');
  const settings = fc.dictionary(
    fc.oneof(fc.constantFrom('log_folder', 'catalog_location', 'compute_data_folder', 'location', '__proto__'), fc.string({ maxLength: 8 })),
    fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('$X', '${Y}', '$'), fc.anything({ withBigInt: true, maxDepth: 2 })),
    { maxKeys: 3 },
  );
  const section = fc.oneof(
    fc.record({ type: fc.oneof(types, fc.anything({ maxDepth: 1 })), config: fc.oneof(settings, fc.anything({ maxDepth: 1 })) }, { requiredKeys: [] }),
    fc.record({ type: types, config: settings, extra: fc.anything({ maxDepth: 1 }) }, { requiredKeys: ['type'] }),
    fc.anything({ maxDepth: 2, withBigInt: true }),
  );
  const config = fc.oneof(fc.dictionary(sections, section, { maxKeys: 4 }), fc.anything({ maxDepth: 2, withBigInt: true }));

  it('normalizeConfig accepts a configuration or refuses it with a ConfigError naming the file', () =>
    assertProp(
      fc.property(config, (raw) => {
        try {
          normalizeConfig(raw, 'fuzz.config.yaml', { RUNNABLE_VAR_X: 'x' });
        } catch (err) {
          expectTyped(err, ConfigError, 'fuzz.config.yaml');
        }
      }),
    ));

  it('loadConfig reads any file text found in a project, or refuses it with a ConfigError naming the file', () => {
    const project = tmpDir('rt-fuzz-config-');
    fs.writeFileSync(path.join(project, 'package.json'), '{"name":"fuzz"}');
    const places = ['.runnablerc.yaml', '.runnablerc.json', '.runnablerc', 'runnable.config.json'];
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      config.map((c) => {
        try {
          return JSON.stringify(c) ?? 'null';
        } catch {
          return '{';
        }
      }),
      config.map((c) => {
        try {
          return YAML.stringify(c) ?? '';
        } catch {
          return ':';
        }
      }),
    );
    return assertProp(
      fc.property(fc.constantFrom(...places), text, (place, body) => {
        for (const p of places) fs.rmSync(path.join(project, p), { force: true });
        fs.writeFileSync(path.join(project, place), body);
        try {
          loadConfig({ cwd: project, env: {} });
        } catch (err) {
          expectTyped(err, ConfigError, place);
        }
      }),
      HEAVY ? 2_000 : 100,
    );
  });
});

describe('fuzz: values steps return', () => {
  it('checkReturns accepts a JSON value or a finite metric, or names the step and the return', () =>
    assertProp(
      fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withDate: true, withNullPrototype: true, withSparseArray: true }), (v) => {
        for (const spec of [json('v'), metric('v')]) {
          try {
            checkReturns('fuzzed', [spec], { v });
            checkInlineSize('fuzzed', 'v', v);
          } catch (err) {
            if (err instanceof ValueTooLargeError) expectTyped(err, ValueTooLargeError, "return 'v'");
            else expectTyped(err, ReturnsMismatchError, "Step 'fuzzed'");
            expect((err as Error).message).toMatch(/'v'/);
          }
        }
      }),
    ));

  it('a run records a returned JSON value as its JSON form, or fails the step with a typed error (never crashes)', () =>
    assertProp(
      fc.asyncProperty(fc.anything({ withBigInt: true, withMap: true, withDate: true, withNullPrototype: true, maxDepth: 3 }), async (v) => {
        const p = pipeline('fuzz').step(task(() => ({ out: v }) as never, { name: 'emit', returns: ['out'] } as never)).build();
        const r = await p.execute(inMemory()).then(
          (res) => res.runLog,
          (err: { runLog?: import('../../src/index').RunLog }) => {
            if (!err.runLog) throw err;
            return err.runLog;
          },
        );
        const attempt = r.steps.emit!.attempts[0]!;
        if (attempt.status === 'SUCCESS') expect(JSON.stringify(r.parameters.out!.value)).toBe(JSON.stringify(v));
        else {
          expect(['ReturnsMismatchError', 'ValueTooLargeError']).toContain(attempt.error_type);
          expect(attempt.message).toContain("Step 'emit'");
        }
      }),
      HEAVY ? 2_000 : 100,
    ));
});
