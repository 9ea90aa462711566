/**
 * The argo executor's Workflows, run: each generated manifest is interpreted by the Argo emulator
 * (test/helpers/argo-emulator.ts: DAG depends/when/withParam, retryStrategy, deadlines, phases) and every pod's
 * command runs in a podman container of the node image, with a folder standing for the PVC. The run log the pods
 * write must be equivalent to the `local` executor's for the executor contract's pipelines (the same comparison as
 * test/e2e/executor-contract.test.ts), and the Workflow's phase must say what the run log says.
 *
 * The heaviest pipeline (`nested`: a parallel holding a map inside a map, ~30 pods) and `artifacts` (pickled values,
 * which no executor treats differently from the catalog files of `files`) run with RUNNABLE_FAULTS_HEAVY=1, the switch
 * of the repository's heavy tests; every construct runs by default (~70 pods).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import type { RunLog } from '../../src/stores/run-log/types';
import { ROOT, runnable, tmpDir } from '../helpers/cli';
import { ensureNodeImage, NODE_IMAGE } from '../helpers/podman';
import { shape } from '../helpers/run-log-shape';
import { emulateWorkflow, type EmulatedWorkflow } from '../helpers/argo-emulator';
import { schemaErrors } from '../helpers/argo-schema';
import { lintWorkflow } from '../../src/executors/argo/lint';


const CONTRACT = path.join(ROOT, 'test/fixtures/executors/contract.ts');
const DEADLINES = path.join(ROOT, 'test/fixtures/executors/argo-deadlines.ts');
const SECRET = 'contract-secret-value';
const HEAVY = process.env.RUNNABLE_FAULTS_HEAVY === '1';

beforeAll(() => {
  try {
    ensureNodeImage();
  } catch (err) {
    // loud, and the tests below fail on their own (never a silent pass)
    console.warn(`\n*** Argo emulation NOT proved: ${(err as Error).message} ***\n`);
    throw err;
  }
}, 300_000);

function argoConfig(project: string): string {
  return YAML.stringify({
    executor: {
      type: 'argo',
      config: {
        defaults: { image: NODE_IMAGE, imagePullPolicy: 'Never' },
        overrides: { short: { activeDeadlineSeconds: 3 } },
        pvcForRunnable: 'runnable-data',
        secretFromK8s: 'contract-secrets',
        // the project at the same path inside and outside, so the files the fixtures write are where local runs write them
        workingDir: project,
        runnableCommand: ['node', path.join(ROOT, 'bin/runnable.js')],
      },
    },
    runLogStore: { type: 'chunked-fs' },
    secrets: { type: 'env' },
  });
}

async function localRun(file: string, exportName: string, runId: string, prepare?: (cwd: string) => void): Promise<{ log: RunLog; code: number; cwd: string }> {
  const cwd = tmpDir('rt-argo-local-');
  fs.writeFileSync(path.join(cwd, 'runnable.config.yaml'), 'executor:\n  type: local\nrunLogStore:\n  type: chunked-fs\n');
  fs.writeFileSync(path.join(cwd, 'package.json'), '{"private":true}');
  prepare?.(cwd);
  const r = await runnable(['run', file, '--export', exportName, '--run-id', runId], { cwd, env: { CONTRACT_API_KEY: SECRET } });
  return { log: await new ChunkedFsRunLogStore({ log_folder: path.join(cwd, '.run_log_store') }).get(runId), code: r.code, cwd };
}

interface Emulated {
  manifest: Record<string, any>;
  project: string;
  pvc: string;
  submit: (parameters: Record<string, string>) => Promise<EmulatedWorkflow>;
  log: (runId: string) => Promise<RunLog>;
}

/** `runnable export argo` of a pipeline in a fresh project, checked by the schema and the lint, ready to submit. */
async function exported(file: string, exportName: string): Promise<Emulated> {
  const project = tmpDir('rt-argo-project-');
  const pvc = tmpDir('rt-argo-pvc-');
  fs.writeFileSync(path.join(project, 'runnable.config.yaml'), argoConfig(project));
  fs.writeFileSync(path.join(project, 'package.json'), '{"private":true}');
  const e = await runnable(['export', 'argo', file, '--export', exportName, '-c', 'runnable.config.yaml', '-o', 'workflow.yaml', '-q'], { cwd: project });
  if (e.code !== 0) throw new Error(`export failed: ${e.stdout}\n${e.stderr}`);
  const manifest = YAML.parse(fs.readFileSync(path.join(project, 'workflow.yaml'), 'utf8'));
  expect(schemaErrors(manifest)).toEqual([]);
  expect(lintWorkflow(manifest)).toEqual([]);
  return {
    manifest,
    project,
    pvc,
    submit: (parameters) =>
      emulateWorkflow(manifest, {
        parameters,
        projectDir: project,
        pvcRoot: pvc,
        sameMounts: [ROOT],
        secrets: { 'contract-secrets': { CONTRACT_API_KEY: SECRET } },
        maxPods: 2,
      }),
    log: async (runId) => await new ChunkedFsRunLogStore({ log_folder: path.join(pvc, 'runnable-data', 'run-logs') }).get(runId),
  };
}

/** The Workflow's phase says what the run log says. */
function phaseMatches(wf: EmulatedWorkflow, log: RunLog): void {
  const failures = wf.nodes.filter((n) => n.phase === 'Error').map((n) => `${n.name}: ${n.message}`);
  expect(failures).toEqual([]);
  expect({ run: log.status, workflow: wf.phase }).toEqual({ run: log.status, workflow: log.status === 'SUCCESS' ? 'Succeeded' : 'Failed' });
}

const pods: Record<string, number> = {};
afterAll(() => {
  console.log(`Argo emulation: pods per pipeline ${JSON.stringify(pods)}`);
});

const SCENARIOS = ['files', 'secrets', 'retry', 'recover', 'parallel', 'conditional', 'loop', ...(HEAVY ? ['artifacts', 'nested'] : [])];

describe('argo emulation (real containers): equivalent to local for the executor contract', () => {
  it.each(SCENARIOS)('%s', async (name) => {
    // the local run and the emulated one at the same time (they share nothing)
    const [local, wf] = await Promise.all([localRun(CONTRACT, name, `${name}-run`), exported(CONTRACT, name)]);
    expect(local.code).toBe(0);
    const result = await wf.submit({ run_id: `${name}-run` });
    pods[name] = result.pods;
    const log = await wf.log(`${name}-run`);
    expect(shape(log)).toEqual(shape(local.log));
    phaseMatches(result, log);
  });

  it('mapped: a failing item, then a resubmission with retry_run_id that reruns only that item', async () => {
    const first = await localRun(CONTRACT, 'mapped', 'mapped-run');
    expect(first.code).toBe(1);
    fs.writeFileSync(path.join(first.cwd, 'fixed'), '');
    const again = await runnable(['retry', 'mapped-run'], { cwd: first.cwd });
    expect(again.code).toBe(0);
    const local = await new ChunkedFsRunLogStore({ log_folder: path.join(first.cwd, '.run_log_store') }).get('mapped-run');

    const wf = await exported(CONTRACT, 'mapped');
    const failed = await wf.submit({ run_id: 'mapped-run' });
    expect(failed.phase).toBe('Failed');
    const afterFirst = await wf.log('mapped-run');
    expect(afterFirst.status).toBe('FAIL');
    phaseMatches(failed, afterFirst);
    fs.writeFileSync(path.join(wf.project, 'fixed'), '');
    const resubmitted = await wf.submit({ run_id: 'mapped-run', retry_run_id: 'mapped-run', retry_indicator: '1' });
    pods.mapped = failed.pods + resubmitted.pods;
    const log = await wf.log('mapped-run');
    expect(shape(log)).toEqual(shape(local));
    phaseMatches(resubmitted, log);
    // only item c ran its step again
    const attempts = (k: string) => log.steps.each!.branches[`each.${k}`]!.steps[`each.${k}.square`]!.attempts.length;
    expect([attempts('a'), attempts('b'), attempts('c')]).toEqual([1, 1, 2]);
  });
});

describe('argo emulation (real containers): deadlines', () => {
  it("a step's timeout becomes its pod's activeDeadlineSeconds; a step sleeping past it fails each attempt as locally", async () => {
    const local = await localRun(DEADLINES, 'timed_out', 'slow-run');
    expect(local.code).toBe(1);
    const wf = await exported(DEADLINES, 'timed_out');
    const sleepy = wf.manifest.spec.templates.find((t: Record<string, any>) => /^sleepy-[0-9a-f]{6}$/.test(t.name));
    expect(sleepy.activeDeadlineSeconds).toBe(61); // 1 s, rounded up, + 60 s to start the pod and record the attempt
    expect(sleepy.retryStrategy).toEqual({ limit: 1, retryPolicy: 'Always' });
    const result = await wf.submit({ run_id: 'slow-run' });
    pods.timed_out = result.pods;
    const log = await wf.log('slow-run');
    expect(shape(log)).toEqual(shape(local.log));
    expect(log.steps.sleepy!.attempts.map((a) => a.message)).toEqual([expect.stringContaining('StepTimeoutError'), expect.stringContaining('StepTimeoutError')]);
    phaseMatches(result, log);
  });

  it("a pod that outlives its template's activeDeadlineSeconds is killed and its node ends Failed", async () => {
    const wf = await exported(DEADLINES, 'blocked');
    const block = wf.manifest.spec.templates.find((t: Record<string, any>) => /^block-[0-9a-f]{6}$/.test(t.name));
    expect(block.activeDeadlineSeconds).toBe(3);
    const result = await wf.submit({ run_id: 'blocked-run' });
    pods.blocked = result.pods;
    expect(result.phase).toBe('Failed');
    expect(result.nodes.find((n) => n.template === block.name)).toMatchObject({ phase: 'Failed', message: 'Pod was active on the node longer than the specified deadline' });
    // the run log: the pod was killed before it could close its attempt; the `fail` pod still ends the run
    expect((await wf.log('blocked-run')).status).toBe('FAIL');
  });
});
