import { execFile, fork, type ChildProcess } from 'node:child_process';
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

/**
 * Runs the `runnable` CLI in `cwd` with a clean RUNNABLE_* environment (plus `env`), CI=true unless overridden.
 * By default the call goes to a warm CLI process (test/helpers/cli-server.js: `main(argv)` in a process that
 * already loaded the library, one call at a time each); `process: true` starts `bin/runnable.js` in a fresh
 * process, as does every call when RUNNABLE_TEST_COLD_CLI=1 (the whole suite then runs the way a user's shell does).
 */
export async function runnable(args: string[], opts: { cwd: string; env?: Record<string, string>; process?: boolean }): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, CI: 'true', ...opts.env };
  for (const k of Object.keys(env)) if (k.startsWith('RUNNABLE_') && !(opts.env && k in opts.env)) delete env[k];
  if (!opts.process && process.env.RUNNABLE_TEST_COLD_CLI !== '1') return warmCall(args, opts.cwd, env);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { cwd: opts.cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const SERVER = path.join(__dirname, 'cli-server.js');
const MARK = '\u0000runnable-cli-server-done\u0000';

interface Pending {
  resolve: (r: CliResult) => void;
  code?: number;
}

/** One warm CLI process; it serves one call at a time. */
class WarmCli {
  readonly child: ChildProcess;
  private stdout = '';
  private stderr = '';
  private marks = 0;
  private pending: Pending | undefined;

  constructor() {
    this.child = fork(SERVER, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execArgv: [], env: process.env });
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => this.receive('stdout', d));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => this.receive('stderr', d));
    this.child.on('message', (m: { code: number }) => {
      if (!this.pending) return;
      this.pending.code = m.code;
      this.settle();
    });
    this.child.on('exit', (code, signal) => {
      all.delete(this);
      const p = this.pending;
      if (!p) return;
      this.pending = undefined;
      // The call ended the process (process.exit, a crash): that exit is its result, as in a fresh process.
      const done = () => p.resolve({ code: code ?? (signal as unknown as number), stdout: this.stdout, stderr: this.stderr });
      // Read what is left in the pipes first.
      let open = 2;
      const closed = () => --open === 0 && done();
      if (this.child.stdout!.readableEnded) closed();
      else this.child.stdout!.once('end', closed);
      if (this.child.stderr!.readableEnded) closed();
      else this.child.stderr!.once('end', closed);
    });
  }

  /** Keeps what the server printed, counting and stripping its end-of-call markers. */
  private receive(stream: 'stdout' | 'stderr', data: string): void {
    let text = this[stream] + data;
    let i: number;
    while ((i = text.indexOf(MARK)) >= 0) {
      text = text.slice(0, i) + text.slice(i + MARK.length);
      this.marks++;
    }
    this[stream] = text;
    this.settle();
  }

  private settle(): void {
    const p = this.pending;
    if (!p || p.code === undefined || this.marks < 2) return;
    this.pending = undefined;
    const result = { code: p.code, stdout: this.stdout, stderr: this.stderr };
    this.stdout = this.stderr = '';
    this.marks = 0;
    idle.push(this);
    p.resolve(result);
  }

  call(args: string[], cwd: string, env: Record<string, string | undefined>): Promise<CliResult> {
    return new Promise((resolve) => {
      this.pending = { resolve };
      this.stdout = this.stderr = '';
      this.marks = 0;
      this.child.send({ args, cwd, env: Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) });
    });
  }
}

const idle: WarmCli[] = [];
const all = new Set<WarmCli>();

function warmCall(args: string[], cwd: string, env: Record<string, string | undefined>): Promise<CliResult> {
  let cli: WarmCli | undefined;
  while ((cli = idle.pop()) && !all.has(cli)); // a server that exited since it went idle
  if (!cli) {
    cli = new WarmCli();
    all.add(cli);
  }
  return cli.call(args, cwd, env);
}

if (typeof afterAll === 'function') {
  afterAll(() => {
    for (const cli of all) cli.child.kill();
    all.clear();
    idle.length = 0;
  });
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
