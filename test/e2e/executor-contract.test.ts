/**
 * One contract, every executor: the same pipelines (test/fixtures/executors/contract.ts: every construct, artifacts with
 * a registered class, catalog files, secrets, per-step retry, onFailure, a map with a failing item then a retry that
 * reruns only it, nesting) run through the real CLI with each executor, and their run logs must be equivalent:
 * same steps, statuses, attempts, parameters, metrics and artifact hashes (times and machine figures aside).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import type { RunLog } from '../../src/stores/run-log/types';
import { ROOT, runnable, tmpDir, type CliResult } from '../helpers/cli';
import { containerConfigYaml, ensureNodeImage, NODE_IMAGE } from '../helpers/podman';
import { shape } from '../helpers/run-log-shape';

const FILE = path.join(ROOT, 'test/fixtures/executors/contract.ts');
const SECRET = 'contract-secret-value';

/** Executors under contract, as configuration files. */
export const EXECUTORS: Record<string, string> = {
  local: 'executor:\n  type: local\nrunLogStore:\n  type: chunked-fs\n',
  emulator: 'executor:\n  type: emulator\n  config:\n    maxProcesses: 2\nrunLogStore:\n  type: chunked-fs\n',
  'local-container': containerConfigYaml(),
};

beforeAll(() => {
  ensureNodeImage();
}, 300_000);

interface Scenario {
  exportName: string;
  /** Runs it in `cwd` (with `cli`) and returns the run id. */
  run?: (cli: (args: string[], env?: Record<string, string>) => Promise<CliResult>, cwd: string) => Promise<string>;
}

const SCENARIOS: Scenario[] = [
  { exportName: 'artifacts' },
  { exportName: 'files' },
  { exportName: 'secrets' },
  { exportName: 'retry' },
  { exportName: 'recover' },
  { exportName: 'parallel' },
  { exportName: 'conditional' },
  { exportName: 'loop' },
  { exportName: 'nested' },
  {
    exportName: 'mapped',
    run: async (cli, cwd) => {
      const first = await cli(['run', FILE, '--export', 'mapped', '--run-id', 'mapped-run']);
      expect(first.code).toBe(1);
      fs.writeFileSync(path.join(cwd, 'fixed'), '');
      const again = await cli(['retry', 'mapped-run']);
      expect(again.code).toBe(0);
      return 'mapped-run';
    },
  },
];

async function runScenario(executor: string, sc: Scenario): Promise<RunLog> {
  const cwd = tmpDir(`rt-contract-${executor}-`);
  fs.writeFileSync(path.join(cwd, 'runnable.config.yaml'), EXECUTORS[executor]!);
  fs.writeFileSync(path.join(cwd, 'package.json'), '{"private":true}'); // the project root: the config search stops here
  const cli = (args: string[], env: Record<string, string> = {}) => runnable(args, { cwd, env: { CONTRACT_API_KEY: SECRET, ...env } });
  let runId = `${sc.exportName}-run`;
  if (sc.run) runId = await sc.run(cli, cwd);
  else {
    const r = await cli(['run', FILE, '--export', sc.exportName, '--run-id', runId]);
    if (r.code !== 0) throw new Error(`${executor} ${sc.exportName}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  }
  return new ChunkedFsRunLogStore({ log_folder: path.join(cwd, '.run_log_store') }).get(runId);
}

describe.each(SCENARIOS)('executor contract: $exportName', (sc) => {
  const logs: Record<string, RunLog> = {};

  it.each(Object.keys(EXECUTORS))('runs with %s', async (executor) => {
    logs[executor] = await runScenario(executor, sc);
    expect(logs[executor]!.run_config.pipeline_executor).toMatchObject({ service_name: executor });
  });

  it('gives equivalent run logs with every executor', () => {
    const [first, ...rest] = Object.keys(EXECUTORS);
    expect(logs[first!]).toBeDefined();
    for (const other of rest) expect(shape(logs[other]!)).toEqual(shape(logs[first!]!));
  });
});

describe('executor contract: what the scenarios prove', () => {
  it('a map item that failed is the only step run again by the retry, and secrets reach the step that declared them', async () => {
    const log = await runScenario('local', SCENARIOS.find((s) => s.exportName === 'mapped')!);
    const attempts = (name: string) => log.steps.each!.branches[`each.${name}`]!.steps[`each.${name}.square`]!.attempts.length;
    expect([attempts('a'), attempts('b'), attempts('c')]).toEqual([1, 1, 2]);
    expect(log.parameters.total!.value).toBe(97 ** 2 + 98 ** 2 + 99 ** 2);
    const secret = await runScenario('local', SCENARIOS.find((s) => s.exportName === 'secrets')!);
    expect(secret.parameters.key_length!.value).toBe(SECRET.length);
  });

  it('local-container records the image it ran in among the code identities of each attempt', async () => {
    const log = await runScenario('local-container', SCENARIOS.find((s) => s.exportName === 'secrets')!);
    const identities = log.steps.use_secret!.attempts[0]!.code_identities;
    expect(identities.find((c) => c.code_identifier_type === 'docker')).toMatchObject({
      code_identifier: expect.stringMatching(/^[0-9a-f]{64}$/),
      code_identifier_dependable: true,
      code_identifier_url: NODE_IMAGE,
    });
    expect(log.steps.use_secret!.attempts[0]!.output_parameters.key_length!.value).toBe(SECRET.length);
  });
});
