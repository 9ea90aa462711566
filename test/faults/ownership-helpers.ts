import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, type CliResult } from '../helpers/cli';
import { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import { FileSystemRunLogStore } from '../../src/stores/run-log/file-system';
import type { RunLogStore } from '../../src/stores/run-log/store';

export const FAULT_FIXTURES = path.join(__dirname, 'fixtures');

/** The two stores that keep run logs on disk, and how a project selects each. */
export const FILE_STORES = ['file-system', 'chunked-fs'] as const;
export type FileStore = (typeof FILE_STORES)[number];

/** Writes the project's config selecting `store`, and a package.json so the config search stops in `cwd`. */
export function useStore(cwd: string, store: FileStore): void {
  fs.writeFileSync(path.join(cwd, 'package.json'), '{ "name": "fault-test", "private": true }\n');
  fs.writeFileSync(path.join(cwd, '.runnablerc.yaml'), `runLogStore:\n  type: ${store}\n`);
}

export function openStore(cwd: string, store: FileStore): RunLogStore {
  const log_folder = path.join(cwd, '.run_log_store');
  return store === 'chunked-fs' ? new ChunkedFsRunLogStore({ log_folder }) : new FileSystemRunLogStore({ log_folder });
}

export interface Started {
  child: ChildProcess;
  done: Promise<CliResult>;
}

/** Starts the `runnable` CLI without waiting for it (clean RUNNABLE_* environment plus `env`). */
export function startRunnable(args: string[], opts: { cwd: string; env?: Record<string, string> }): Started {
  const env: Record<string, string | undefined> = { ...process.env, CI: 'true', ...opts.env };
  for (const k of Object.keys(env)) if (k.startsWith('RUNNABLE_') && !(opts.env && k in opts.env)) delete env[k];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 + 9 : -1), stdout, stderr }));
  });
  return { child, done };
}

/** Polls until `check` returns a value (not undefined/false); rejects after `ms`. */
export async function waitFor<T>(check: () => T | undefined | false, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The name of a `started.<pid>` file in `cwd`, once one exists. */
export function startedFile(cwd: string): string | undefined {
  return fs.readdirSync(cwd).find((f) => f.startsWith('started.'));
}

/**
 * `RUNNABLE_FAULTS_HEAVY=1` (set by `npm run test:faults`): many more kills and fuzz cases than the CI variant.
 * `RUNNABLE_FAULTS_SEED=<n>` replays a random schedule.
 */
export const HEAVY = process.env.RUNNABLE_FAULTS_HEAVY === '1';
export const FAULTS_SEED = process.env.RUNNABLE_FAULTS_SEED ? Number(process.env.RUNNABLE_FAULTS_SEED) : Date.now() % 1_000_000;
