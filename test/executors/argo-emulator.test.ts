/**
 * The Argo emulator's own rules (test/helpers/argo-emulator.ts), without containers: its pods are a fake runner here.
 * test/e2e/argo-emulation.test.ts runs the generated manifests with real podman containers.
 */
import * as fs from 'node:fs';
import { emulateWorkflow, evalDepends, evalWhen, type EmulatedWorkflow } from '../helpers/argo-emulator';
import { tmpDir } from '../helpers/cli';
import { transpile } from '../../src/executors/argo/transpile';
import { parseArgoConfig } from '../../src/executors/argo/config';
import { initialParameters } from '../../src/engine/param-check';
import { pipeline, task } from '../../src';


type M = Record<string, any>;
const pod = (name: string, extra: M = {}): M => ({ name, container: { image: 'img', command: ['run', name] }, ...extra });
const dag = (name: string, tasks: M[], extra: M = {}): M => ({ name, dag: { tasks, ...extra.dagExtra }, ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'dagExtra')) });
const workflow = (templates: M[], parameters: M[] = []): M => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { generateName: 't-' }, spec: { entrypoint: templates.at(-1)!.name, arguments: { parameters }, templates } });

/** Runs a manifest; `behave(template, argv, attempt)` gives each fake pod's exit code (and may write its outputs). */
function run(m: M, behave: (template: string, argv: string[], file: (p: string) => string | undefined, deadline?: number) => number | 'deadline', parameters: Record<string, string> = {}): Promise<EmulatedWorkflow> {
  return emulateWorkflow(m, {
    parameters,
    projectDir: tmpDir('rt-emu-project-'),
    pvcRoot: tmpDir('rt-emu-pvc-'),
    runner: async ({ template, argv, file, deadline }) => behave(template, argv, file, deadline),
  });
}
const phases = (wf: EmulatedWorkflow) => Object.fromEntries(wf.nodes.map((n) => [n.name.replace(/^t-[0-9a-f]{5}\./, ''), n.phase]));

describe('argo emulator: expressions', () => {
  const r = (phase: string, children?: string[]) => ({ phase, outputs: {}, ...(children && { children }) }) as any;
  const results = new Map([
    ['a', r('Succeeded')],
    ['b-x', r('Failed')],
    ['c', r('Skipped')],
    ['g', r('Failed', ['Succeeded', 'Failed'])],
  ]);
  it.each([
    ['a', true],
    ['a.Succeeded && b-x.Failed', true],
    ['a.Failed || (b-x.Failed && !c.Omitted)', true],
    ['!(a.Succeeded)', false],
    ['c', true], // a bare name: Succeeded or Skipped
    ['b-x', false],
    ['g.AnySucceeded && !g.AllFailed', true],
    ['b-x.Errored', false],
  ])('depends %s → %s', (expr, expected) => {
    expect(evalDepends(expr, results)).toBe(expected);
  });
  it('depends naming an unknown task is an error', () => {
    expect(() => evalDepends('nobody.Succeeded', results)).toThrow(/not a task of this DAG/);
  });
  it.each([
    ["'heads' == 'heads'", true],
    ["'1' == 1", false], // govaluate: a string is not a number (NOTES §1.14.5)
    ["'true' == 'true' && !('a' != 'a')", true],
    ['2 > 1 || false', true],
    ["'b' < 'a'", false],
  ])('when %s → %s', (expr, expected) => {
    expect(evalWhen(expr)).toBe(expected);
  });
  it('a bare word in when is an error, as govaluate finds no such variable', () => {
    expect(() => evalWhen("heads == 'heads'")).toThrow(/not a quoted string/);
  });
});

describe('argo emulator: the controller', () => {
  it('an Omitted leaf after a failure inherits Failed (assessDAGPhase); a recovery in its own DAG does not', async () => {
    // side by side: the recovery succeeds, but the omitted 'next' leaf inherits 'Failed' from the failed step
    const side = workflow([pod('step'), pod('recover'), pod('next'), dag('main', [
      { name: 'step', template: 'step' },
      { name: 'recover', template: 'recover', depends: 'step.Failed' },
      { name: 'next', template: 'next', depends: 'step.Succeeded' },
    ], { dagExtra: { failFast: false } })]);
    const a = await run(side, (t) => (t === 'step' ? 1 : 0));
    expect(phases(a)).toMatchObject({ step: 'Failed', recover: 'Succeeded', next: 'Omitted' });
    expect(a.phase).toBe('Failed');
    // guarded: step and recovery in one DAG whose leaf is the recovery; what follows is Skipped by a when
    const guarded = workflow([pod('step'), pod('recover'), pod('next'),
      dag('guard', [{ name: 'step', template: 'step' }, { name: 'on-failure', template: 'recover', depends: 'step.Failed' }], {
        dagExtra: { failFast: false },
        outputs: { parameters: [{ name: 'step', valueFrom: { expression: 'tasks.step.status' } }] },
      }),
      dag('main', [
        { name: 'guarded', template: 'guard' },
        { name: 'next', template: 'next', depends: 'guarded.Succeeded', when: "'{{tasks.guarded.outputs.parameters.step}}' == 'Succeeded'" },
      ], { dagExtra: { failFast: false } })]);
    const b = await run(guarded, (t) => (t === 'step' ? 1 : 0));
    expect(phases(b)).toMatchObject({ guarded: 'Succeeded', 'guarded.step': 'Failed', 'guarded.on-failure': 'Succeeded', next: 'Skipped' });
    expect(b.phase).toBe('Succeeded');
    const c = await run(guarded, () => 0);
    expect(phases(c)).toMatchObject({ 'guarded.on-failure': 'Omitted', next: 'Succeeded' });
    expect(c.phase).toBe('Succeeded');
  });

  it('failFast (dag.failFast, default true) starts no task after a failure; a template-level failFast does not change that', async () => {
    const tasks = [{ name: 'a', template: 'a' }, { name: 'b', template: 'b', depends: 'a.Failed' }];
    const templateLevel = await run(workflow([pod('a'), pod('b'), dag('main', tasks, { failFast: false })]), (t) => (t === 'a' ? 1 : 0));
    expect(phases(templateLevel).b).toBeUndefined(); // never scheduled: a fan-in or fail node here would never run
    const inDag = await run(workflow([pod('a'), pod('b'), dag('main', tasks, { dagExtra: { failFast: false } })]), (t) => (t === 'a' ? 1 : 0));
    expect(phases(inDag).b).toBe('Succeeded');
  });

  it('withParam: one child per item, {{item}} and {{item.key}}; an empty list is Skipped; the group fails with a child', async () => {
    const seen: string[][] = [];
    const m = workflow([
      pod('list', { outputs: { parameters: [{ name: 'items', valueFrom: { path: '/tmp/out/items' } }] } }),
      pod('each', { inputs: { parameters: [{ name: 'v' }, { name: 'a' }] }, container: { image: 'img', command: ['each', '{{inputs.parameters.v}}', '{{inputs.parameters.a}}'] } }),
      dag('main', [
        { name: 'list', template: 'list' },
        { name: 'each', template: 'each', depends: 'list', withParam: '{{tasks.list.outputs.parameters.items}}', arguments: { parameters: [{ name: 'v', value: '{{item}}' }, { name: 'a', value: '{{item.a}}' }] } },
        { name: 'none', template: 'each', depends: 'list', withParam: '[]', arguments: { parameters: [{ name: 'v', value: '{{item}}' }, { name: 'a', value: 'x' }] } },
      ], { dagExtra: { failFast: false } }),
    ]);
    const wf = await run(m, (t, argv, file) => {
      if (t === 'list') fs.writeFileSync(file('/tmp/out/items')!, `${JSON.stringify([{ a: 1, b: 'x' }, { a: 2 }])}\n`);
      if (t === 'each') seen.push(argv);
      return t === 'each' && argv[2] === '2' ? 1 : 0;
    });
    expect(seen).toEqual([
      ['each', '{"a":1,"b":"x"}', '1'],
      ['each', '{"a":2}', '2'],
    ]);
    expect(phases(wf)).toMatchObject({ each: 'Failed', 'each(0:{"a":1,"b":"x"})': 'Succeeded', 'each(1:{"a":2})': 'Failed', none: 'Skipped' });
    expect(wf.phase).toBe('Failed');
  });

  it('retryStrategy: limit and retryPolicy; every attempt is a pod of a Retry node', async () => {
    let calls = 0;
    const m = workflow([pod('flaky', { retryStrategy: { limit: '2', retryPolicy: 'Always' } }), dag('main', [{ name: 'f', template: 'flaky' }])]);
    const wf = await run(m, () => (++calls < 3 ? 1 : 0));
    expect(wf.pods).toBe(3);
    expect(phases(wf)).toMatchObject({ 'f(0)': 'Failed', 'f(1)': 'Failed', 'f(2)': 'Succeeded', f: 'Succeeded' });
    // OnError does not retry a Failed pod
    const once = await run(workflow([pod('flaky', { retryStrategy: { limit: 3, retryPolicy: 'OnError' } }), dag('main', [{ name: 'f', template: 'flaky' }])]), () => 1);
    expect(once.pods).toBe(1);
    expect(once.phase).toBe('Failed');
  });

  it("an unresolved variable is an Error node; a missing workflow argument refuses the submission; a killed pod is 'Failed'", async () => {
    const m = workflow([pod('a', { container: { image: 'img', command: ['a', '{{workflow.parameters.run_id}}', '{{inputs.parameters.nope}}'] } }), dag('main', [{ name: 'a', template: 'a' }])], [{ name: 'run_id' }]);
    await expect(run(m, () => 0)).rejects.toThrow(/parameter 'run_id' has no value/);
    const wf = await run(m, () => 0, { run_id: 'r1' });
    expect(wf.nodes.find((n) => n.name.endsWith('.a'))).toMatchObject({ phase: 'Error', message: 'failed to resolve {{inputs.parameters.nope}}' });
    expect(wf.phase).toBe('Error');
    const killed = await run(workflow([pod('a', { activeDeadlineSeconds: 1 }), dag('main', [{ name: 'a', template: 'a' }])]), () => 'deadline');
    expect(killed.nodes[0]).toMatchObject({ phase: 'Failed', message: 'Pod was active on the node longer than the specified deadline' });
  });

  it("a pod's deadline is the smaller of activeDeadlineSeconds and timeout, templateDefaults under the template's own", async () => {
    const deadlines: Record<string, number | undefined> = {};
    const m = workflow([pod('own', { activeDeadlineSeconds: 30 }), pod('inherits'), pod('none'), dag('main', [{ name: 'a', template: 'own' }, { name: 'b', template: 'inherits' }])]);
    m.spec.templateDefaults = { timeout: '2m', activeDeadlineSeconds: '600' };
    await run(m, (t, _a, _f, deadline) => {
      deadlines[t] = deadline;
      return 0;
    });
    expect(deadlines).toEqual({ own: 30, inherits: 120 });
  });

  it('output parameters: one trailing newline stripped, the default when the file is missing', async () => {
    const m = workflow([
      pod('w', { outputs: { parameters: [{ name: 'x', valueFrom: { path: '/tmp/o/x' } }, { name: 'y', valueFrom: { path: '/tmp/o/y', default: 'dflt' } }] } }),
      dag('main', [{ name: 'w', template: 'w' }]),
    ]);
    const wf = await run(m, (_t, _a, file) => {
      fs.writeFileSync(file('/tmp/o/x')!, 'a\n\n');
      return 0;
    });
    expect(wf.nodes[0]!.outputs).toEqual({ x: 'a\n', y: 'dflt' });
  });

  it('a generated manifest (map, conditional, loop) runs to Succeeded with pods that answer as the fan command does', async () => {
    const p = pipeline('shapes')
      .params<{ xs: string[]; pick: '1' | '2' }>({ xs: ['a', 'b'], pick: '1' })
      .map('each', { over: 'xs', as: 'x', branch: pipeline('one').params<{ x: string }>().step(task(() => ({}), { name: 'use' })).build() })
      .conditional('which', { on: 'pick', branches: { '1': pipeline('first').step(task(() => ({}), { name: 'first' })).build(), '2': pipeline('second').step(task(() => ({}), { name: 'second' })).build() } })
      .loop('again', { branch: pipeline('body').step(task(() => ({ stop: true }), { name: 'body_step', returns: ['stop'] })).build(), breakOn: 'stop', maxIterations: 3 })
      .build();
    const m = transpile({ pipeline: p, file: 'p.ts', argo: parseArgoConfig({ defaults: { image: 'img' } }), config: {}, initialParameters: initialParameters({ defaults: p.defaults, env: {} }).params });
    let iterations = 0;
    const wf = await run(
      m,
      (_t, argv, file) => {
        const i = argv.indexOf('fan');
        if (i < 0) return 0;
        const [step, , direction] = [argv[i + 2], argv[i + 3], argv[i + 4]];
        const out = (name: string, v: string) => {
          const at = argv.indexOf(name);
          if (at >= 0) fs.writeFileSync(file(argv[at + 1]!)!, v);
        };
        if (step === 'each' && direction === 'out') out('--output', '["0","1"]');
        if (step === 'which' && direction === 'out') out('--output', '1');
        if (step === 'again' && direction === 'in') {
          out('--output', ++iterations < 2 ? 'true' : 'false');
          out('--next-iteration-output', String(iterations));
        }
        return 0;
      },
      { run_id: 'r' },
    );
    const ran = wf.nodes.filter((n) => n.type === 'Pod').map((n) => n.template!.replace(/-[0-9a-f]{6}$/, ''));
    expect(ran.filter((t) => t === 'use')).toHaveLength(2);
    expect(ran).toContain('first');
    expect(ran).not.toContain('second');
    expect(ran.filter((t) => t === 'body-step')).toHaveLength(2); // the recursive template ran twice
    expect(wf.nodes.find((n) => n.template?.startsWith('which-') && n.type === 'DAG')?.phase).toBe('Succeeded');
    expect(wf.phase).toBe('Succeeded');
  });
});
