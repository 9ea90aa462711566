/**
 * The argo executor's Workflows: every example and the tutorial transpile to manifests valid against Argo's JSON
 * Schema and clean for the semantic lint; two pipelines are pinned by golden files; the defects of the Python
 * original (NOTES.md §1.14) are absent.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { FIXTURES, ROOT, runnable, tmpDir } from '../helpers/cli';
import { schemaErrors } from '../helpers/argo-schema';
import { register } from '../../src/loader';
import { findPipeline } from '../../src/cli/load';
import { ArgoExecutor, exportArgo } from '../../src/executors/argo';
import { MemoryRunLogStore } from '../../src/stores/run-log/memory';
import { MemoryCatalog } from '../../src/stores/catalog/memory';
import { EnvSecretsManager } from '../../src/stores/secrets/secrets';
import { lintWorkflow } from '../../src/executors/argo/lint';
import { parseArgoConfig } from '../../src/executors/argo/config';
import { transpile, type Manifest } from '../../src/executors/argo/transpile';
import { initialParameters } from '../../src/engine/param-check';
import { pipeline, task } from '../../src';

register();
const CONFIG = 'examples/argo/runnable.config.ts';
const out = tmpDir('rt-argo-');
afterAll(() => {
  fs.rmSync(out, { recursive: true, force: true });
  fs.rmSync(path.join(ROOT, 'argo-pipeline.yaml'), { force: true }); // left by the CLI test if it failed half-way
});

function load(rel: string, exportName?: string) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const found = findPipeline(require(path.join(ROOT, rel)) as Record<string, unknown>, rel, exportName);
  if (!found) throw new Error(`${rel} exports no pipeline`);
  return found;
}

function exportFile(rel: string, exportName?: string, config = CONFIG): Manifest {
  const found = load(rel, exportName);
  const r = exportArgo({ pipeline: found.pipeline, file: rel, exportName: found.exportName, configFile: config, output: path.join(out, `${rel.replace(/\W+/g, '_')}-${found.exportName}.yaml`) });
  return YAML.parse(fs.readFileSync(r.output, 'utf8')) as Manifest;
}

const spec = (m: Manifest) => (m.kind === 'CronWorkflow' ? m.spec.workflowSpec : m.spec);
/** A template by its readable name: `work-` finds `work-<6 hex>`, not `work-fan-out-...`. */
const template = (m: Manifest, prefix: string) => spec(m).templates.find((t: Manifest) => (prefix.endsWith('-') ? new RegExp(`^${prefix}[0-9a-f]{6}$`).test(t.name) : t.name === prefix)) as Manifest;

const EXAMPLES = fs
  .readdirSync(path.join(ROOT, 'examples'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('configs') && !f.startsWith('argo'))
  .map((f) => path.posix.join('examples', f.split(path.sep).join('/')))
  .sort();

describe('argo: every example transpiles to a valid, lint-clean Workflow', () => {
  it.each(EXAMPLES)('%s', (rel) => {
    const mod = require(path.join(ROOT, rel)) as Record<string, unknown>; // eslint-disable-line @typescript-eslint/no-require-imports
    const found = findPipeline(mod, rel);
    if (!found) {
      // a module of helpers (the tutorial's ml.ts): nothing to run
      expect(Object.keys(mod).length).toBeGreaterThan(0);
      return;
    }
    const m = exportFile(rel);
    expect(schemaErrors(m)).toEqual([]);
    expect(lintWorkflow(m)).toEqual([]);
  });

  it.each(['constructs', 'recovers', 'no_match', 'odd_items'])('test fixture fan-constructs#%s (every construct, nested)', (name) => {
    const m = exportFile(path.relative(ROOT, path.join(FIXTURES, 'fan-constructs.ts')), name);
    expect(schemaErrors(m)).toEqual([]);
    expect(lintWorkflow(m)).toEqual([]);
  });
});

describe('argo: golden files', () => {
  const cases: [string, string, string | undefined][] = [
    ['tutorial', 'examples/tutorial/04-connecting-workflow.ts', undefined],
    ['constructs', path.relative(ROOT, path.join(FIXTURES, 'fan-constructs.ts')), 'constructs'],
  ];
  it.each(cases)('%s', (name, rel, exportName) => {
    const m = exportFile(rel, exportName);
    const text = YAML.stringify(m, { lineWidth: 0, aliasDuplicateObjects: false });
    const golden = path.join(ROOT, 'test/fixtures/argo', `${name}.yaml`);
    if (process.env.UPDATE_GOLDEN) fs.writeFileSync(golden, text);
    expect(text).toBe(fs.readFileSync(golden, 'utf8'));
    // deterministic: a second transpile gives the same text
    expect(YAML.stringify(exportFile(rel, exportName), { lineWidth: 0, aliasDuplicateObjects: false })).toBe(text);
  });
});

describe('argo: shapes (and the original\'s defects, NOTES.md §1.14, avoided)', () => {
  const m = exportFile(path.relative(ROOT, path.join(FIXTURES, 'fan-constructs.ts')), 'constructs');
  const templates = spec(m).templates as Manifest[];

  it('map: withParam over the fan-out\'s keys, fan-in also after an empty list (Skipped), output outside the volume', () => {
    const map = template(m, 'per-item-');
    const iteration = map.dag.tasks.find((t: Manifest) => t.name === 'iteration');
    expect(iteration.withParam).toBe('{{tasks.fan-out.outputs.parameters.keys}}');
    expect(iteration.arguments.parameters).toEqual([{ name: 'key-0', value: '{{item}}' }]);
    expect(map.dag.tasks.find((t: Manifest) => t.name === 'fan-in').depends).toContain('iteration.Skipped');
    const fanOut = templates.find((t) => t.name === map.dag.tasks[0].template)!;
    expect(fanOut.outputs.parameters[0].valueFrom.path).toBe('/tmp/runnable-fan/output');
    for (const mount of fanOut.container.volumeMounts) expect(mount.mountPath.startsWith('/tmp')).toBe(false);
    // the branch's step gets its iteration key in its dot path, not the item's value in JSON (§1.14.7)
    const work = template(m, 'work-');
    expect(work.container.command).toContain('per_item.{{inputs.parameters.key-0}}.work');
    expect(JSON.stringify(work)).not.toContain('iter-variable');
  });

  it('conditional: string comparison on both sides, so numeric and boolean values match (§1.14.5)', () => {
    const numeric = template(m, 'numeric-');
    const whens = numeric.dag.tasks.filter((t: Manifest) => t.when).map((t: Manifest) => t.when);
    expect(whens).toEqual(["'{{tasks.fan-out.outputs.parameters.branch}}' == '1'", "'{{tasks.fan-out.outputs.parameters.branch}}' == '2'"]);
  });

  it('loop: a recursive template that calls itself while the fan-in says so (§1.14.8)', () => {
    const iter = template(m, 'improve-loop-iteration-');
    const next = iter.dag.tasks.find((t: Manifest) => t.name === 'next');
    expect(next.template).toBe(iter.name);
    expect(next.when).toBe("'{{tasks.fan-in.outputs.parameters.continue}}' == 'true'");
    expect(next.arguments.parameters).toEqual([{ name: 'key-0', value: '{{tasks.fan-in.outputs.parameters.next}}' }]);
  });

  it('nesting: a parallel inside a map gets the iteration key as an input, never {{item}} outside withParam (§1.14.6)', () => {
    const inner = template(m, 'inner-parallel-');
    expect(inner.inputs.parameters).toEqual([{ name: 'key-0' }]);
    const squares = template(m, 'squares-');
    expect(squares.dag.tasks.find((t: Manifest) => t.name === 'iteration').arguments.parameters).toEqual([
      { name: 'key-0', value: '{{inputs.parameters.key-0}}' },
      { name: 'key-1', value: '{{item}}' },
    ]);
    expect(template(m, 'square-').container.command).toContain('outer_map.{{inputs.parameters.key-0}}.inner_parallel.left.squares.{{inputs.parameters.key-1}}.square');
  });

  it('retry → retryStrategy (Argo owns attempts: one attempt per pod), backoff spelt as Argo spells it (§1.14.2)', () => {
    const flaky = template(m, 'flaky-');
    expect(flaky.retryStrategy).toEqual({ limit: 2, retryPolicy: 'Always' });
    expect(flaky.container.command).toContain('--one-attempt');
    const withBackoff = transpileOne(task(() => ({}), { name: 'slow', retry: { maxAttempts: 2, backoffMs: 1500 } }));
    expect(template(withBackoff, 'slow-').retryStrategy).toEqual({ limit: 1, retryPolicy: 'Always', backoff: { duration: '1500ms' } });
    expect(JSON.stringify(m)).not.toContain('backOff');
  });

  it('onFailure: the step and its recovery in one DAG (Succeeded when recovered), what follows runs only if the step succeeded', () => {
    const r = exportFile(path.relative(ROOT, path.join(FIXTURES, 'fan-constructs.ts')), 'recovers');
    const root = template(r, 'runnable-dag');
    const risky = root.dag.tasks.find((t: Manifest) => t.name.startsWith('risky-'));
    const guarded = template(r, risky.template);
    expect(guarded.dag.tasks.map((t: Manifest) => [t.name, t.depends])).toEqual([
      ['step', undefined],
      ['on-failure', 'step.Failed || step.Errored'],
    ]);
    expect(guarded.outputs.parameters).toEqual([{ name: 'step', valueFrom: { expression: 'tasks.step.status' } }]);
    const never = root.dag.tasks.find((t: Manifest) => t.name.startsWith('never-'));
    expect(never).toMatchObject({ depends: `${risky.name}.Succeeded`, when: `'{{tasks.${risky.name}.outputs.parameters.step}}' == 'Succeeded'` });
    // the {{...}} form would be refused by Argo's validator: the lint says so
    guarded.outputs.parameters[0].valueFrom = { parameter: '{{tasks.step.status}}' };
    expect(lintWorkflow(r).join('\n')).toMatch(/\{\{tasks.step.status\}\} is not resolvable in a DAG's outputs/);
    // a failure of a step without onFailure reaches the fail node
    expect(root.dag.tasks.find((t: Manifest) => t.name === 'fail').depends).toMatch(/^never-[0-9a-f]{6}\.Failed/);
  });

  it("onFailure on a last step that ends the run in failure: the fail node runs only when the step itself succeeded", () => {
    const rec = pipeline('rec').step(task(() => ({}), { name: 'rescue' })).build();
    const w = transpileOne(pipeline('tf').step(task(() => ({}), { name: 'last' }), { onFailure: rec, terminate: 'failure' }).build());
    const root = template(w, 'runnable-dag');
    const last = root.dag.tasks.find((t: Manifest) => t.name.startsWith('last-')).name;
    expect(root.dag.tasks.find((t: Manifest) => t.name === 'fail-after-last')).toMatchObject({ depends: `${last}.Succeeded`, when: `'{{tasks.${last}.outputs.parameters.step}}' == 'Succeeded'` });
    expect(schemaErrors(w)).toEqual([]);
    expect(lintWorkflow(w)).toEqual([]);
  });

  it('a step whose name starts with a digit gets a task name Argo accepts in a DAG using depends', () => {
    const w = transpileOne(pipeline('digits').step(task(() => ({}), { name: 'first' })).step(task(() => ({}), { name: '2nd_step' })).build());
    const names = template(w, 'runnable-dag').dag.tasks.map((t: Manifest) => t.name);
    expect(names).toContainEqual(expect.stringMatching(/^x-2nd-step-[0-9a-f]{6}$/));
    expect(lintWorkflow(w)).toEqual([]);
    template(w, 'runnable-dag').dag.tasks[1].name = '2nd';
    expect(lintWorkflow(w).join('\n')).toMatch(/task name '2nd' cannot begin with a digit/);
  });

  it('failFast: false is set where Argo reads it for a DAG (inside dag), so fan-ins and fail nodes run after a failure', () => {
    for (const t of templates.filter((x) => x.dag)) {
      expect(t.dag.failFast).toBe(false);
      expect(t.failFast).toBeUndefined();
    }
  });

  it("timeout → the pod's activeDeadlineSeconds: the step's timeout rounded up + 60 s (its own guard records the attempt first)", () => {
    const w = transpileOne(task(() => ({}), { name: 'slow', timeout: 1500 }), { overrides: { short: { activeDeadlineSeconds: 5 } } });
    expect(template(w, 'slow-').activeDeadlineSeconds).toBe(62);
    // without a timeout an override's deadline applies; defaults (activeDeadlineSeconds, timeout) go to templateDefaults
    const p = pipeline('d').step(task(() => ({}), { name: 'quick' }), { overrides: { argo: 'short' } }).build();
    const d = transpileOne(p, { defaults: { image: 'img:1', timeout: '10m', activeDeadlineSeconds: 3600 }, overrides: { short: { activeDeadlineSeconds: 5 } } });
    expect(template(d, 'quick-').activeDeadlineSeconds).toBe(5);
    expect(spec(d).templateDefaults).toMatchObject({ activeDeadlineSeconds: 3600, timeout: '10m' });
    expect(schemaErrors(d)).toEqual([]);
    expect(lintWorkflow(d)).toEqual([]);
  });

  it('run_id is a required argument, scalar parameters are string arguments, the first pod reads them as RUNNABLE_PRM_', () => {
    const p = pipeline('params')
      .params<{ lr: number; name: string; digits: string; flag: boolean; list: number[] }>({ lr: 0.1, name: 'abc', digits: '42', flag: true, list: [1] })
      .step(task(() => ({}), { name: 'train' }))
      .build();
    const w = transpileOne(p);
    expect(spec(w).arguments.parameters).toEqual([
      { name: 'lr', value: '0.1' },
      { name: 'name', value: 'abc' },
      { name: 'digits', value: '"42"' }, // stays a string when read back as JSON
      { name: 'flag', value: 'true' },
      { name: 'run_id' },
      { name: 'retry_run_id', value: '' },
      { name: 'retry_indicator', value: '' },
    ]);
    expect(template(w, 'create-run-').container.env).toContainEqual({ name: 'RUNNABLE_PRM_lr', value: '{{workflow.parameters.lr}}' });
    expect(schemaErrors(w)).toEqual([]);
    expect(lintWorkflow(w)).toEqual([]);
  });

  it('secrets → secretKeyRef of secretFromK8s; a per-step override changes image and resources; cron → CronWorkflow', () => {
    const p = pipeline('secrets')
      .step(task(() => ({}), { name: 'uses_key', secrets: ['API_KEY'] }), { overrides: { argo: 'gpu' } })
      .build();
    const w = transpileOne(p, { secretFromK8s: 'creds', overrides: { gpu: { image: 'gpu-image:1', resources: { limits: { gpu: 1 } } } }, cronSchedule: { schedules: ['0 3 * * *'], timezone: 'UTC' } });
    const t = template(w, 'uses-key-');
    expect(t.container.env).toContainEqual({ name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'creds', key: 'API_KEY' } } });
    expect(t.container.image).toBe('gpu-image:1');
    expect(t.container.resources.limits['nvidia.com/gpu']).toBe('1');
    expect(w.kind).toBe('CronWorkflow');
    expect(w.spec.schedules).toEqual(['0 3 * * *']);
    expect(spec(w).arguments.parameters).toContainEqual({ name: 'run_id', value: '{{workflow.name}}' });
    expect(schemaErrors(w)).toEqual([]);
    expect(lintWorkflow(w)).toEqual([]);
    expect(() => transpileOne(p, { overrides: { gpu: {} } })).toThrow(/declares the secret\(s\) 'API_KEY'.*secretFromK8s/);
    expect(() => transpileOne(p, { secretFromK8s: 'creds' })).toThrow(/selects the argo override 'gpu'/);
  });

  it('await p.execute() with the argo executor is refused before any run log is written', async () => {
    const store = new MemoryRunLogStore();
    const p = pipeline('in-code').step(task(() => ({}), { name: 'a' })).build();
    await expect(p.execute({ executor: new ArgoExecutor({ defaults: { image: 'img:1' } }), runLogStore: store, catalog: new MemoryCatalog(), secrets: new EnvSecretsManager(), quiet: true })).rejects.toThrow(
      /does not run pipelines in this process: it writes an Argo Workflow/,
    );
    expect(await store.list()).toEqual([]);
  });

  it('refuses a config without an image, with the fix in the message', () => {
    expect(() => parseArgoConfig({ defaults: {} })).toThrow(/defaults.image is required/);
    expect(() => parseArgoConfig({ defaults: { image: 'x' }, configmap_cache_name: 'c' })).toThrow(/not a setting of 'argo' \(not needed/);
  });
});

function transpileOne(p: Parameters<typeof transpile>[0]['pipeline'] | Parameters<typeof pipeline>[0] | any, extra: Record<string, unknown> = {}): Manifest {
  const pl = 'steps' in p ? p : pipeline('one').step(p).build();
  return transpile({
    pipeline: pl,
    file: 'pipeline.ts',
    argo: parseArgoConfig({ defaults: { image: 'img:1' }, ...extra }),
    config: {},
    initialParameters: initialParameters({ defaults: pl.defaults, env: {} }).params,
  });
}

describe('argo: the lint finds what the schema cannot', () => {
  const good = (): Manifest => transpileOne(pipeline('p').step(task(() => ({}), { name: 'a' })).step(task(() => ({}), { name: 'b' })).build());
  it('is clean on a generated manifest and reports broken names, references, depends and cycles', () => {
    expect(lintWorkflow(good())).toEqual([]);
    const bad = good();
    const root = spec(bad).templates.find((t: Manifest) => t.name === 'runnable-dag');
    const [, a, b] = root.dag.tasks;
    a.depends = `${b.name}.Succeeded`; // a cycle a <-> b
    b.arguments = { parameters: [{ name: 'x', value: '{{item}}' }] };
    root.dag.tasks.push({ name: 'Bad_Name', template: 'missing', depends: 'nobody.Succeeded', when: '{{tasks.a.outputs.parameters.y}} == 1' });
    spec(bad).templates[0].container.command.push('{{workflow.parameters.nope}}', '{{inputs.parameters.k}}');
    spec(bad).entrypoint = 'nowhere';
    const problems = lintWorkflow(bad).join('\n');
    expect(problems).toMatch(/form a cycle/);
    expect(problems).toMatch(/\{\{item\}\} is used outside a withParam/);
    expect(problems).toMatch(/task name "Bad_Name" must match/);
    expect(problems).toMatch(/template 'missing' does not exist/);
    expect(problems).toMatch(/depends names 'nobody'/);
    expect(problems).toMatch(/\{\{tasks.a.outputs.parameters.y\}\} names no task/);
    expect(problems).toMatch(/\{\{workflow.parameters.nope\}\} names no workflow argument/);
    expect(problems).toMatch(/\{\{inputs.parameters.k\}\} names no input parameter/);
    expect(problems).toMatch(/entrypoint 'nowhere' is not a template/);
    expect(problems).toMatch(/passes 'x', which template/);
  });
  it('the schema rejects what the lint does not look at (a container without image, backOff misplaced as a number list)', () => {
    const bad = good();
    delete spec(bad).templates[0].container.image;
    spec(bad).templates[0].retryStrategy = { limit: [1] };
    const errors = schemaErrors(bad).join('\n');
    expect(errors).toMatch(/must have required property 'image'/);
    expect(errors).toMatch(/retryStrategy\/limit must be integer,string/);
  });
});

describe('argo: the CLI', () => {
  it('runnable run with the argo executor writes the Workflow and prints the submit command; nothing runs', async () => {
    const file = path.join(out, 'cli.yaml');
    const r = await runnable(['run', 'examples/10-loop/loop.ts', '-c', CONFIG], { cwd: ROOT });
    // written to the default outputFile, argo-pipeline.yaml in the working folder (moved away below)
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Wrote the Argo Workflow of 'loop' to argo-pipeline.yaml");
    expect(r.stdout).toContain('argo submit argo-pipeline.yaml -n pipelines -p run_id=<new run id> --watch');
    fs.renameSync(path.join(ROOT, 'argo-pipeline.yaml'), file);
    const m = YAML.parse(fs.readFileSync(file, 'utf8')) as Manifest;
    expect(schemaErrors(m)).toEqual([]);
    expect(r.stdout).not.toMatch(/Run .* (succeeded|failed)/);
    const e = await runnable(['export', 'argo', 'examples/10-loop/loop.ts', '-c', 'examples/configs/chunked-fs.config.ts', '-o', path.join(out, 'x.yaml')], { cwd: ROOT });
    expect(e.code).toBe(2);
    expect(e.stderr).toContain("does not select the argo executor (executor.type is 'local')");
  }, 60_000);
});
