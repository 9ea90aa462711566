import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { RunLog } from '../../src/stores/run-log/types';
import { assertValidRunLog } from './run-log-schema';

export const ROOT = path.resolve(__dirname, '../..');
export const BIN = path.join(ROOT, 'bin/runnable.js');
export const TUTORIAL = path.join(ROOT, 'examples/tutorial/04-connecting-workflow.ts');
export const FIXTURES = path.join(ROOT, 'test/fixtures/pipelines');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `runnable` CLI in `cwd` with a clean RUNNABLE_* environment (plus `env`), CI=true unless overridden. */
export async function runnable(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, CI: 'true', ...opts.env };
  for (const k of Object.keys(env)) if (k.startsWith('RUNNABLE_') && !(opts.env && k in opts.env)) delete env[k];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: opts.cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const created: string[] = [];

/**
 * A fresh temp folder, removed when the test file ends (set RUNNABLE_KEEP_TEST_TMP=1 to keep them for a look):
 * hundreds of end-to-end runs per `npm test` would otherwise pile up in the machine's temp folder.
 */
export function tmpDir(prefix = 'rt-e2e-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

if (typeof afterAll === 'function' && !process.env.RUNNABLE_KEEP_TEST_TMP) {
  afterAll(() => {
    for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
}

export function runIdFrom(stdout: string): string {
  const m = /Run (\S+) (succeeded|failed)/.exec(stdout);
  if (!m) throw new Error(`no run id in output:\n${stdout}`);
  return m[1]!;
}

/** Reads a file-system run log and validates it against the published schema. */
export function readRunLog(cwd: string, runId: string, folder = '.run_log_store'): RunLog {
  const log = JSON.parse(fs.readFileSync(path.join(cwd, folder, `${runId}.json`), 'utf8')) as RunLog;
  assertValidRunLog(log);
  return log;
}
