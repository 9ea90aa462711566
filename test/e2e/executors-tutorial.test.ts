/**
 * The tutorial pipeline, unchanged, with each executor chosen only in configuration (examples/configs/): the same
 * steps succeed and the model scores the same accuracy (the dataset and the forest are seeded).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import type { RunLog } from '../../src/stores/run-log/types';
import { ROOT, TUTORIAL, runnable, tmpDir } from '../helpers/cli';
import { ensureNodeImage } from '../helpers/podman';

const CONFIGS = path.join(ROOT, 'examples/configs');

async function accuracy(config: string | undefined, env: Record<string, string> = {}): Promise<{ accuracy: unknown; executor: unknown }> {
  const cwd = tmpDir('rt-tutorial-exec-');
  const args = ['run', TUTORIAL, '--run-id', 'tut', '--quiet', ...(config ? ['--config', path.join(CONFIGS, config)] : [])];
  const out = await runnable(args, { cwd, env: { RUNNABLE_PRM_n_estimators: '5', ...env } });
  if (out.code !== 0) throw new Error(`${config}: exit ${out.code}\n${out.stdout}\n${out.stderr}`);
  const log = config
    ? await new ChunkedFsRunLogStore({ log_folder: path.join(cwd, '.run_log_store') }).get('tut')
    : (JSON.parse(fs.readFileSync(path.join(cwd, '.run_log_store', 'tut.json'), 'utf8')) as RunLog);
  return { accuracy: log.parameters.accuracy?.value, executor: (log.run_config.pipeline_executor as { service_name: string }).service_name };
}

describe('the tutorial pipeline with every executor, chosen in configuration only', () => {
  let local: unknown;
  beforeAll(async () => {
    local = (await accuracy(undefined)).accuracy;
    expect(typeof local).toBe('number');
  });

  it('emulator (examples/configs/emulator.config.ts)', async () => {
    expect(await accuracy('emulator.config.ts')).toEqual({ accuracy: local, executor: 'emulator' });
  });

  it('local-container with podman (examples/configs/local-container.config.yaml)', async () => {
    const image = ensureNodeImage();
    expect(await accuracy('local-container.config.yaml', { RUNNABLE_VAR_image: image })).toEqual({ accuracy: local, executor: 'local-container' });
  });
});
