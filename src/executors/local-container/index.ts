import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { RunnableError } from '../../errors';
import { CLI, processEnd, singleNodeArgs, Slots, Tail } from '../emulator';
import type { Executor, StepInvocation, StepIO, StepOutcome } from '../executor';

/** What a step's container gets: the image, and what to add to `docker run` / `podman run`. */
export interface ContainerSettings {
  /** The image with `node` on its PATH (see docs/executors.md for an offline recipe). */
  image?: string;
  /** Environment variables set in the container. */
  environment?: Record<string, string>;
  /** Extra arguments of `run`, before the image (e.g. `--memory 4g`, `--gpus all`, `--ulimit nofile=1024:1024`). */
  runArgs?: string[];
}

export interface LocalContainerExecutorConfig extends ContainerSettings {
  image: string;
  /** `docker` (default), `podman`, or the path of either. */
  binary?: string;
  /** Arguments of the binary before `run` (podman on a restricted host: `['--runtime', 'runc', '--cgroup-manager', 'cgroupfs']`). */
  binaryArgs?: string[];
  /** Remove each step's container when it ends (`--rm`). Default true. */
  autoRemove?: boolean;
  /** Steps running at once, each in its own container. Default 1. */
  maxContainers?: number;
  /** Named settings a step selects with `.step(X, { overrides: { 'local-container': 'gpu' } })`. */
  overrides?: Record<string, ContainerSettings>;
}

/** A step's container could not be set up as configured (an unknown overrides name, no image). */
export class ContainerSetupError extends RunnableError {
  override readonly code = 'CONTAINER_SETUP';
}

/** Environment variables passed through to every step's container: runnable's own settings. */
const PASSED = /^RUNNABLE_(VAR|CONFIGURATION_FILE|RETRY_INDICATOR|RUN_TAG)_?/;

/** Folders to mount at the same path inside the container, without one inside another. */
export function mountsFor(folders: readonly string[]): string[] {
  const unique = [...new Set(folders.map((f) => path.resolve(f)))].sort();
  return unique.filter((f, i) => !unique.slice(0, i).some((p) => f === p || f.startsWith(p + path.sep)));
}

/**
 * Every task step in its own container (`docker run` / `podman run`), executing its step invocation. The working
 * folder, the project, the run-log store, the catalog and the dotenv file are mounted at their own paths, so paths in
 * the configuration and the run log mean the same inside and outside. The step's declared secrets and `RUNNABLE_VAR_*`
 * variables are passed as environment; the image's digest is recorded in the attempt's code identities.
 */
export class LocalContainerExecutor implements Executor {
  readonly type = 'local-container';
  private readonly slots: Slots;
  /** Names of the containers running now (removed on abort). */
  private readonly running = new Set<string>();
  private readonly digests = new Map<string, string>();

  constructor(private readonly cfg: LocalContainerExecutorConfig) {
    if (!cfg.image) throw new ContainerSetupError("The 'local-container' executor needs an image: executor: { type: 'local-container', config: { image: 'my-project:latest' } }");
    this.slots = new Slots(Math.max(1, Math.floor(cfg.maxContainers ?? 1)));
  }

  get binary(): string {
    return this.cfg.binary ?? 'docker';
  }

  config(): Record<string, unknown> {
    return { service_name: 'local-container', service_type: 'pipeline_executor', image: this.cfg.image, binary: this.binary };
  }

  /** The settings of one step: the defaults, then its overrides block. */
  settingsFor(inv: StepInvocation): Required<ContainerSettings> {
    const base = { image: this.cfg.image, environment: this.cfg.environment ?? {}, runArgs: this.cfg.runArgs ?? [] };
    if (inv.overrides === undefined) return base;
    const o = this.cfg.overrides?.[inv.overrides];
    if (!o) {
      const known = Object.keys(this.cfg.overrides ?? {});
      throw new ContainerSetupError(
        `Step '${inv.step}' selects the overrides '${inv.overrides}' of the 'local-container' executor, which has ${known.length ? `only ${known.map((k) => `'${k}'`).join(', ')}` : 'no overrides'}. Add it under executor.config.overrides.`,
      );
    }
    return { image: o.image ?? base.image, environment: { ...base.environment, ...o.environment }, runArgs: [...base.runArgs, ...(o.runArgs ?? [])] };
  }

  /** The image's digest (or id), asked once per image. */
  private digest(image: string): string {
    let d = this.digests.get(image);
    if (d === undefined) {
      try {
        d = execFileSync(this.binary, [...(this.cfg.binaryArgs ?? []), 'image', 'inspect', '--format', '{{.Id}}', image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      } catch {
        d = '';
      }
      this.digests.set(image, d);
    }
    return d;
  }

  /**
   * The command line of a step's container and the environment of the `docker`/`podman` client: variables are passed
   * by name only (`--env NAME`, the value taken from the client's environment), so secret values never appear in a
   * process listing.
   */
  commandFor(inv: StepInvocation, io: StepIO, name: string): { args: string[]; env: NodeJS.ProcessEnv } {
    const s = this.settingsFor(inv);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && (PASSED.test(k) || io.secrets?.includes(k))) env[k] = v;
    Object.assign(env, s.environment, { RUNNABLE_CONTAINER_IMAGE: s.image, RUNNABLE_CONTAINER_IMAGE_ID: this.digest(s.image) });
    const folders = mountsFor([inv.cwd, path.resolve(CLI, '..', '..'), ...(io.folders ?? [])]);
    const args = [
      ...(this.cfg.binaryArgs ?? []),
      'run',
      ...(this.cfg.autoRemove === false ? [] : ['--rm']),
      '--name',
      name,
      '--workdir',
      inv.cwd,
      ...folders.flatMap((f) => ['--volume', `${f}:${f}`]),
      ...Object.keys(env).flatMap((k) => ['--env', k]),
      ...s.runArgs,
      s.image,
      'node',
      CLI,
      ...singleNodeArgs(inv),
    ];
    return { args, env: { ...process.env, ...env } };
  }

  runStep(inv: StepInvocation, io: StepIO): Promise<StepOutcome> {
    return this.slots.run(() => this.runContainer(inv, io));
  }

  private runContainer(inv: StepInvocation, io: StepIO): Promise<StepOutcome> {
    const name = `runnable-${createHash('sha256').update(`${inv.runId}\0${inv.step}\0${inv.attempt}\0${process.pid}`).digest('hex').slice(0, 16)}`;
    let command: { args: string[]; env: NodeJS.ProcessEnv };
    try {
      command = this.commandFor(inv, io, name);
    } catch (err) {
      return Promise.resolve({ status: 'FAIL', message: (err as Error).message });
    }
    const { args, env } = command;
    return new Promise((resolve) => {
      const child = spawn(this.binary, args, { cwd: inv.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      this.running.add(name);
      const stderr = new Tail();
      child.stdout.setEncoding('utf8').on('data', (d: string) => io.output?.(d, 'stdout'));
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr.push(d);
        io.output?.(d, 'stderr');
      });
      child.on('error', (err) => {
        this.running.delete(name);
        resolve({ status: 'FAIL', message: `could not run '${this.binary}': ${err.message}. Install docker or podman, or set executor.config.binary.` });
      });
      child.on('close', (code, signal) => {
        this.running.delete(name);
        resolve(code === 0 ? { status: 'SUCCESS' } : { status: 'FAIL', message: processEnd(code, signal, stderr.text, `the step's container (${this.binary} run ... ${this.settingsFor(inv).image})`) });
      });
    });
  }

  async abort(): Promise<void> {
    for (const name of this.running) {
      spawnSync(this.binary, [...(this.cfg.binaryArgs ?? []), 'rm', '--force', name], { stdio: 'ignore', timeout: 30_000 });
    }
    this.running.clear();
  }
}
