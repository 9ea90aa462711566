import * as path from 'node:path';
import { ParameterValidationError, type ParameterProblem } from '../errors';
import type { Parameter } from '../stores/run-log/types';
import type { ParamSpec } from '../sdk/pipeline';
import type { StandardSchemaV1, StandardSchemaV1Issue, StandardSchemaV1Result } from '../types/standard-schema';
import { showValue } from '../util/show';
import { checkParameterName, jsonParameter, parametersFromEnv, readParametersFileWithLines, type ParameterSource } from './params';

/** A given value and where it came from. */
interface Given {
  value: unknown;
  source: ParameterSource | 'api';
  /** For messages: `RUNNABLE_PRM_test_size=abc`, `params.yaml:3`, `execute({ params })`, `the default`. */
  where: string;
  /** A RUNNABLE_PRM_ value that is not JSON (kept as the string). */
  notJson?: { variable: string; raw: string };
}

/** Environment values as shown in messages: long ones cut. */
function shown(raw: string): string {
  return raw.length > 40 ? `${raw.slice(0, 40)}...` : raw;
}

/**
 * The names a schema declares: its object shape when the library exposes one (zod `.shape`, valibot `.entries`),
 * plus what validating an empty object reveals (the names it reports missing, the defaults it fills in).
 */
export function schemaNames(schema: StandardSchemaV1): Promise<string[]> {
  let found = declaredNames.get(schema);
  if (!found) declaredNames.set(schema, (found = findSchemaNames(schema)));
  return found;
}

/** Schema → its names, worked out once per schema (a branch schema is asked for every branch that starts). */
const declaredNames = new WeakMap<StandardSchemaV1, Promise<string[]>>();

async function findSchemaNames(schema: StandardSchemaV1): Promise<string[]> {
  const names = new Set<string>();
  const s = schema as unknown as { shape?: unknown; entries?: unknown };
  for (const shape of [s.shape, s.entries]) {
    if (shape && typeof shape === 'object' && !Array.isArray(shape)) for (const k of Object.keys(shape)) names.add(k);
  }
  try {
    const r = await schema['~standard'].validate({});
    if (r.issues) {
      for (const i of r.issues) {
        const key = i.path?.length ? segKey(i.path[0]!) : undefined;
        if (typeof key === 'string') names.add(key);
      }
    } else if (r.value && typeof r.value === 'object') for (const k of Object.keys(r.value)) names.add(k);
  } catch {
    /* a schema that throws on {} declares nothing we can see */
  }
  return [...names];
}

/** The key of one segment of an issue path (a segment is a key or `{ key }`). */
function segKey(seg: NonNullable<StandardSchemaV1Issue['path']>[number]): PropertyKey {
  return seg !== null && typeof seg === 'object' ? seg.key : seg;
}

/** `test_size.grid[0]` from an issue path. */
export function pathText(issue: StandardSchemaV1Issue): { top: string | undefined; text: string } {
  let text = '';
  let top: string | undefined;
  for (const seg of issue.path ?? []) {
    const key = segKey(seg);
    if (top === undefined) top = String(key);
    text += typeof key === 'number' ? `[${key}]` : text ? `.${String(key)}` : String(key);
  }
  return { top, text };
}

/**
 * The values given for a run, in increasing precedence: the pipeline defaults, the parameters file, `RUNNABLE_PRM_`
 * variables (a name not declared exactly reaches the one declared name that matches it case-insensitively; two
 * matches are a problem) and `execute({ params })`. Names are checked; values are not (see resolveRunParameters).
 */
function gatherParameters(opts: {
  defaults: Readonly<Record<string, unknown>>;
  declared: ReadonlySet<string>;
  parametersFile?: string;
  env: NodeJS.ProcessEnv;
  api?: Record<string, unknown>;
  warn: (message: string) => void;
}): { given: Map<string, Given>; problems: ParameterProblem[] } {
  const { declared } = opts;
  const problems: ParameterProblem[] = [];
  const given = new Map<string, Given>();
  for (const [k, v] of Object.entries(opts.defaults)) {
    if (v === undefined) continue;
    checkParameterName(k, 'the pipeline defaults');
    given.set(k, { value: v, source: 'default', where: 'the default' });
  }
  if (opts.parametersFile) {
    const file = opts.parametersFile;
    const rel = path.relative(process.cwd(), path.resolve(file)) || file;
    const { data, lines } = readParametersFileWithLines(file);
    for (const [k, v] of Object.entries(data)) {
      checkParameterName(k, `the parameters file ${file}`);
      given.set(k, { value: v, source: `file:${rel}`, where: lines[k] !== undefined ? `${file}:${lines[k]}` : file });
    }
  }
  // RUNNABLE_PRM_ variables: exact names first; then the others reach a declared name that matches case-insensitively
  const fromEnv = parametersFromEnv(opts.env);
  const exact = new Set(fromEnv.map((e) => e.name));
  const envSet = new Map<string, string>();
  for (const e of [...fromEnv.filter((x) => declared.has(x.name)), ...fromEnv.filter((x) => !declared.has(x.name))]) {
    let name = e.name;
    if (!declared.has(name)) {
      const matches = [...declared].filter((d) => d.toLowerCase() === name.toLowerCase()).sort();
      if (matches.length > 1) {
        problems.push({
          name,
          source: `${e.variable}=${shown(e.raw)}`,
          message: `the name matches the parameters ${matches.map((m) => `'${m}'`).join(' and ')} when case is ignored; use the exact name (e.g. RUNNABLE_PRM_${matches[0]})`,
        });
        continue;
      }
      if (matches.length === 1) name = matches[0]!;
    }
    const earlier = envSet.get(name);
    if (earlier) {
      opts.warn(`${e.variable} is ignored: ${earlier} already sets parameter '${name}'${exact.has(name) ? ' (exact names come first)' : ''}.`);
      continue;
    }
    envSet.set(name, e.variable);
    checkParameterName(name, `the environment variable ${e.variable}`);
    given.set(name, {
      value: e.value,
      source: `env:${e.variable}`,
      where: `${e.variable}=${shown(e.raw)}`,
      ...(!e.json && { notJson: { variable: e.variable, raw: e.raw } }),
    });
  }
  for (const [k, v] of Object.entries(opts.api ?? {})) {
    checkParameterName(k, 'execute({ params })');
    given.set(k, { value: v, source: 'api', where: 'execute({ params })' });
  }
  return { given, problems };
}

/**
 * The initial parameters of a run, checked before the run log exists. Values come, in increasing precedence, from
 * the pipeline defaults, the parameters file, `RUNNABLE_PRM_` variables (a name that is not declared exactly
 * reaches the one declared name that matches it case-insensitively) and `execute({ params })`. With a schema, its
 * output (coerced, defaults filled in) replaces the values; without one, the `required` names must be given.
 * Every problem is collected and thrown at once as a ParameterValidationError.
 */
export async function resolveRunParameters(opts: {
  pipelineName: string;
  /** A job is named as one in the error. */
  kind?: 'pipeline' | 'job';
  defaults: Readonly<Record<string, unknown>>;
  spec: ParamSpec;
  parametersFile?: string;
  env: NodeJS.ProcessEnv;
  api?: Record<string, unknown>;
  warn: (message: string) => void;
}): Promise<{ params: Record<string, Parameter>; sources: Record<string, ParameterSource | 'api'> }> {
  const { spec } = opts;
  const declared = new Set<string>([...Object.keys(opts.defaults), ...(spec.required ?? [])]);
  if (spec.schema) for (const n of await schemaNames(spec.schema)) declared.add(n);

  const { given, problems } = gatherParameters({ ...opts, declared });

  const values = new Map<string, { value: unknown; source: ParameterSource | 'api' }>();
  for (const [k, g] of given) values.set(k, { value: g.value, source: g.source });
  const troubled = new Set<string>();

  if (spec.schema) {
    const input: Record<string, unknown> = {};
    for (const [k, g] of given) input[k] = g.value;
    const result = await validateParameters(spec.schema, input);
    if (result.issues) {
      for (const issue of result.issues) {
        const { top, text } = pathText(issue);
        const g = top !== undefined ? given.get(top) : undefined;
        if (top !== undefined) troubled.add(top);
        problems.push({ name: text, source: g ? g.where : top !== undefined ? 'not given' : 'the parameters', message: issue.message });
      }
    } else {
      const out = result.value;
      if (!out || typeof out !== 'object' || Array.isArray(out)) {
        problems.push({ name: '', source: 'the schema', message: `the schema's output is ${Array.isArray(out) ? 'a list' : typeof out}, not an object of parameters; give params() an object schema` });
      } else {
        // the schema's output replaces the values it returns; names it does not return (not declared) stay as given
        for (const [k, v] of Object.entries(out as Record<string, unknown>)) {
          checkParameterName(k, "the parameter schema's output");
          if (v === undefined) values.delete(k);
          else values.set(k, { value: v, source: given.get(k)?.source ?? 'default' });
        }
      }
    }
  } else {
    for (const name of spec.required ?? []) {
      if (given.get(name)?.value !== undefined) continue;
      troubled.add(name);
      problems.push({
        name,
        source: 'not given',
        message: `the pipeline requires it (params(defaults, { required })) and nothing provided it: add '${name}: <value>' to the parameters file, set RUNNABLE_PRM_${name}, or pass execute({ params: { ${name}: ... } })`,
      });
    }
  }

  // a schema that accepted such a string made it what it is meant to be: nothing to warn about
  if (!spec.schema) for (const [k, g] of given) {
    if (!g.notJson || troubled.has(k)) continue;
    opts.warn(`Parameter '${k}' (${g.notJson.variable}) could not be JSON decoded, adding the literal value ${JSON.stringify(shown(g.notJson.raw))}.`);
  }
  if (problems.length) throw new ParameterValidationError(opts.pipelineName, problems, opts.kind);

  return runParameters(values);
}

/** A schema's verdict on parameter values; a schema that throws is an issue saying so, not a crash of the run. */
async function validateParameters(schema: StandardSchemaV1, input: Record<string, unknown>): Promise<StandardSchemaV1Result<unknown>> {
  try {
    return await schema['~standard'].validate(input);
  } catch (err) {
    return { issues: [{ message: `the schema threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` }] };
  }
}

/** Values and their sources as a run records them. */
function runParameters<S>(values: Iterable<[string, { value: unknown; source: S }]>): { params: Record<string, Parameter>; sources: Record<string, S> } {
  const params: Record<string, Parameter> = {};
  const sources: Record<string, S> = {};
  for (const [k, { value, source }] of values) {
    params[k] = jsonParameter(value);
    sources[k] = source;
  }
  return { params, sources };
}

/**
 * The initial parameters of a run as given, without a schema or required names (what `runnable export argo` writes
 * as the Workflow's arguments): the same sources, precedence and name rules as a run.
 */
export function initialParameters(opts: {
  defaults: Readonly<Record<string, unknown>>;
  parametersFile?: string;
  env: NodeJS.ProcessEnv;
  pipelineName?: string;
}): { params: Record<string, Parameter>; sources: Record<string, ParameterSource> } {
  const declared = new Set(Object.keys(opts.defaults));
  const { given, problems } = gatherParameters({ ...opts, declared, warn: () => undefined });
  if (problems.length) throw new ParameterValidationError(opts.pipelineName ?? '(unnamed)', problems);
  return runParameters([...given].map(([k, g]) => [k, { value: g.value, source: g.source as ParameterSource }]));
}

/**
 * Why a retry cannot keep a run's parameters under the pipeline as it is now: a retry runs the failed steps with the
 * original run's initial values, so they must still be valid, and nothing the pipeline now adds (a new default, a
 * schema default, a new required name) may be missing from them, or its steps would read `undefined` where a fresh
 * run gives a value. Values the schema would convert are not compared (a transform need not give the same result
 * twice). An empty list: the retry may go ahead.
 */
export async function retryParameterProblems(pipeline: { defaults: Readonly<Record<string, unknown>>; paramSpec?: ParamSpec }, initial: Record<string, unknown>): Promise<string[]> {
  const problems: string[] = [];
  const spec = pipeline.paramSpec ?? {};
  const had = (name: string) => Object.prototype.hasOwnProperty.call(initial, name) && initial[name] !== undefined;
  for (const name of Object.keys(pipeline.defaults)) {
    if (!had(name) && pipeline.defaults[name] !== undefined) problems.push(`'${name}' now has a default (${showValue(pipeline.defaults[name], 40)}) that the run did not have`);
  }
  for (const name of spec.required ?? []) if (!had(name)) problems.push(`'${name}' is now required and the run did not have it`);
  if (spec.schema) {
    const result = await validateParameters(spec.schema, { ...initial });
    if (result.issues) {
      for (const issue of result.issues) {
        const { text } = pathText(issue);
        problems.push(`${text ? `'${text}'` : 'the parameters'}: ${issue.message}`);
      }
    }
    else if (result.value && typeof result.value === 'object') {
      for (const [name, value] of Object.entries(result.value as Record<string, unknown>)) {
        if (!had(name) && value !== undefined) problems.push(`the schema now gives '${name}' the value ${showValue(value, 40)} that the run did not have`);
      }
    }
  }
  return problems;
}
