import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, ROOT, tmpDir } from '../helpers/cli';

/**
 * A throw-away project folder: the given files, and node_modules/runnable-ts linked to this repository, so a
 * pipeline file written there imports 'runnable-ts' exactly as a user's would.
 */
export function project(files: Record<string, string>, prefix = 'rt-faults-'): string {
  const cwd = tmpDir(prefix);
  fs.mkdirSync(path.join(cwd, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(cwd, 'node_modules', 'runnable-ts'), 'dir');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(cwd, name)), { recursive: true });
    fs.writeFileSync(path.join(cwd, name), text);
  }
  return cwd;
}

/** Starts `runnable <args>` in cwd, waits for the file `started` to appear (plus `after` ms), sends `signal`. */
export async function interrupt(
  cwd: string,
  args: string[],
  signal: NodeJS.Signals,
  opts: { after?: number; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env, CI: 'true', ...opts.env };
  for (const k of Object.keys(env)) if (k.startsWith('RUNNABLE_') && !(opts.env && k in opts.env)) delete env[k];
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise<number | null>((r) => child.on('close', r));
  const deadline = Date.now() + 20_000;
  while (!fs.existsSync(path.join(cwd, 'started')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, opts.after ?? 0));
  child.kill(signal);
  return { code: await closed, stdout, stderr };
}

/** Whether a process is still running (a zombie waiting to be reaped by init counts as ended). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}
