import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunContext, Scope } from '../../engine/context';
import { executeTaskNode } from '../../engine/task-node';
import type { TaskNode } from '../../graph/graph';
import type { StepLog } from '../../stores/run-log/types';
import type { RunnableConfig } from '../../config/types';
import { ConfigError, loadConfig } from '../../config/load';
import type { Executor } from '../executor';
import { generateRunId, validateRunId } from '../../engine/run-id';
import type { Manifest } from '../../types/any';

/** Set in the Job's pod: there the `k8s-job` executor runs the steps in its own process. */
export const IN_K8S_JOB = 'RUNNABLE_IN_K8S_JOB';

/** `executor: { type: 'k8s-job', config }`: the whole run in one Kubernetes Job (the Python original's keys, camelCase). */
export interface K8sJobConfig {
  /** The ReadWriteMany (or ReadWriteOnce) claim holding the run-log store's and the catalog's folders. Required. */
  pvcClaimName: string;
  /** Default 'default'. */
  namespace?: string;
  /** 5-field cron: write a CronJob instead of a Job. */
  schedule?: string;
  jobSpec: {
    activeDeadlineSeconds?: number;
    backoffLimit?: number;
    ttlSecondsAfterFinished?: number;
    template: {
      spec: {
        activeDeadlineSeconds?: number;
        restartPolicy?: 'Never' | 'OnFailure';
        serviceAccountName?: string;
        nodeSelector?: Readonly<Record<string, string>>;
        tolerations?: ReadonlyArray<Record<string, unknown>>;
        /** More pod volumes (Kubernetes `Volume` objects), besides the claim of `pvcClaimName`. */
        volumes?: ReadonlyArray<Record<string, unknown>>;
        container: {
          image: string;
          env?: ReadonlyArray<{ name: string; value: string }>;
          resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
          /** More mounts (Kubernetes `VolumeMount` objects) of `volumes`, besides the run-log and catalog folders. */
          volumeMounts?: ReadonlyArray<Record<string, unknown>>;
        };
      };
    };
  };
  /** Where `runnable run` writes the manifest. Default k8s-job.yaml. */
  outputFile?: string;
  /** The project's folder in the image. Default /app. */
  workingDir?: string;
  /** How the image runs the CLI. Default ['npx', 'runnable']. */
  runnableCommand?: readonly string[];
}

const isObject = (v: unknown): v is Manifest => !!v && typeof v === 'object' && !Array.isArray(v);
const KEYS = ['pvcClaimName', 'namespace', 'schedule', 'jobSpec', 'outputFile', 'workingDir', 'runnableCommand'];
const SNAKE: Record<string, string> = { pvc_claim_name: 'pvcClaimName', job_spec: 'jobSpec', output_file: 'outputFile' };
const JOB_SPEC_KEYS = ['activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'template'];
const POD_KEYS = ['activeDeadlineSeconds', 'restartPolicy', 'serviceAccountName', 'nodeSelector', 'tolerations', 'volumes', 'container'];
const CONTAINER_KEYS = ['image', 'env', 'resources', 'volumeMounts'];

/** A misspelled key would silently vanish from the manifest: refuse it, naming the allowed ones. */
function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw new ConfigError(`${where}.${k} is not a setting of 'k8s-job'. Allowed: ${allowed.join(', ')}.`);
  }
}

/** One cron field: *, numbers, ranges, lists and steps. */
const CRON_FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

export function parseK8sJobConfig(raw: Record<string, unknown>): K8sJobConfig {
  const cfg: Manifest = {};
  for (const [k, v] of Object.entries(raw)) {
    const key = SNAKE[k] ?? k;
    if (k === 'configPath' || k === 'config_path' || k === 'mock') continue; // the original's: this executor submits nothing
    if (!KEYS.includes(key)) throw new ConfigError(`executor.config.${k} is not a setting of 'k8s-job'. Allowed: ${KEYS.join(', ')}.`);
    cfg[key] = v;
  }
  if (typeof cfg.pvcClaimName !== 'string' || !cfg.pvcClaimName) {
    throw new ConfigError(`executor.config.pvcClaimName is required for 'k8s-job': the PersistentVolumeClaim that keeps the run log and the catalog after the pod is gone.`);
  }
  const image = cfg.jobSpec?.template?.spec?.container?.image;
  if (!isObject(cfg.jobSpec) || typeof image !== 'string' || !image) {
    throw new ConfigError(`executor.config.jobSpec.template.spec.container.image is required for 'k8s-job' (the image with your project and runnable-ts, see examples/argo/Dockerfile).`);
  }
  checkKeys(cfg.jobSpec, JOB_SPEC_KEYS, 'executor.config.jobSpec');
  checkKeys(cfg.jobSpec.template, ['spec'], 'executor.config.jobSpec.template');
  checkKeys(cfg.jobSpec.template.spec, POD_KEYS, 'executor.config.jobSpec.template.spec');
  checkKeys(cfg.jobSpec.template.spec.container, CONTAINER_KEYS, 'executor.config.jobSpec.template.spec.container');
  for (const [key, v] of [['volumes', cfg.jobSpec.template.spec.volumes], ['container.volumeMounts', cfg.jobSpec.template.spec.container.volumeMounts]] as const) {
    if (v !== undefined && (!Array.isArray(v) || !v.every(isObject))) throw new ConfigError(`executor.config.jobSpec.template.spec.${key} must be a list of Kubernetes objects ({ name: ..., ... }).`);
  }
  if (cfg.schedule !== undefined) {
    const fields = typeof cfg.schedule === 'string' ? cfg.schedule.trim().split(/\s+/) : [];
    if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) {
      throw new ConfigError(`executor.config.schedule ${JSON.stringify(cfg.schedule)} is not a 5-field cron expression (minute hour day month weekday), e.g. '0 3 * * *'.`);
    }
  }
  return cfg as K8sJobConfig;
}

/** A Kubernetes object name: lower case, [a-z0-9-], at most 63 characters. */
function k8sName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '') || 'runnable';
}

export interface K8sJobInput {
  job: K8sJobConfig;
  config: RunnableConfig;
  /** The pipeline's (or job's) name (names a CronJob). */
  name: string;
  /** What the file exports: a pipeline (the pod runs `runnable run`) or a job (`job(X)`: the pod runs `runnable job`). Default pipeline. */
  kind?: 'pipeline' | 'job';
  /** `runnable run` / `runnable job` arguments after the command: file, --export, --config, --params. */
  runArgs: string[];
  /** The run id (a Job); undefined for a CronJob, whose runs get generated ids. */
  runId?: string;
}

/** The batch/v1 Job (or CronJob) that runs the whole pipeline in one pod, with the run log on the claim. */
export function buildK8sJob(input: K8sJobInput): Manifest {
  const { job } = input;
  const spec = job.jobSpec.template.spec;
  const workingDir = job.workingDir ?? '/app';
  const rl = (input.config.runLogStore?.config as { log_folder?: string } | undefined)?.log_folder ?? '.run_log_store';
  const cat = (input.config.catalog?.config as { catalog_location?: string } | undefined)?.catalog_location ?? '.catalog';
  const container = {
    name: 'runnable',
    image: spec.container.image,
    imagePullPolicy: 'Always',
    workingDir,
    command: [...(job.runnableCommand ?? ['npx', 'runnable']), input.kind === 'job' ? 'job' : 'run', ...input.runArgs, ...(input.runId ? ['--run-id', input.runId] : [])],
    env: [{ name: IN_K8S_JOB, value: '1' }, ...(spec.container.env ?? []).map((e) => ({ name: e.name, value: String(e.value) }))],
    resources: {
      limits: { memory: '1Gi', cpu: '250m', ...spec.container.resources?.limits },
      requests: { memory: '1Gi', cpu: '250m', ...(spec.container.resources?.requests ?? spec.container.resources?.limits) },
    },
    volumeMounts: [
      { name: 'runnable', mountPath: path.posix.resolve(workingDir, rl), subPath: 'run-logs' },
      { name: 'runnable', mountPath: path.posix.resolve(workingDir, cat), subPath: 'catalog' },
      ...(spec.container.volumeMounts ?? []),
    ],
  };
  const jobSpec = {
    activeDeadlineSeconds: job.jobSpec.activeDeadlineSeconds ?? 7200,
    // a failed run is resumed with `runnable retry`, not by Kubernetes starting the whole run again
    backoffLimit: job.jobSpec.backoffLimit ?? 0,
    ttlSecondsAfterFinished: job.jobSpec.ttlSecondsAfterFinished ?? 86400,
    template: {
      metadata: { labels: { 'app.kubernetes.io/managed-by': 'runnable-ts', ...(input.kind === 'job' && { 'runnable-ts/kind': 'job' }) } },
      spec: {
        activeDeadlineSeconds: spec.activeDeadlineSeconds ?? 7200,
        restartPolicy: spec.restartPolicy ?? 'Never',
        serviceAccountName: spec.serviceAccountName ?? 'default',
        ...(spec.nodeSelector && { nodeSelector: spec.nodeSelector }),
        ...(spec.tolerations && { tolerations: spec.tolerations }),
        containers: [container],
        volumes: [{ name: 'runnable', persistentVolumeClaim: { claimName: job.pvcClaimName } }, ...(spec.volumes ?? [])],
      },
    },
  };
  const namespace = job.namespace ?? 'default';
  if (job.schedule) {
    return { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: k8sName(input.name).slice(0, 52), namespace }, spec: { schedule: job.schedule, concurrencyPolicy: 'Forbid', jobTemplate: { spec: jobSpec } } };
  }
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: k8sName(input.runId ?? input.name), namespace, ...(input.runId && { annotations: { 'runnable-ts/run-id': input.runId } }) }, spec: jobSpec };
}

const REFUSAL =
  "The 'k8s-job' executor runs the pipeline (or job) in a Kubernetes Job, not in this process: 'runnable run <file.ts>' ('runnable job <file.ts>' for a job, or 'runnable export k8s-job <file.ts>') writes the Job's manifest; apply it with kubectl.";

/**
 * `executor: { type: 'k8s-job' }`. On your machine `runnable run` writes the Job; inside the Job's pod (where the
 * manifest sets RUNNABLE_IN_K8S_JOB) the same configuration runs every step in that process, like `local`.
 */
export class K8sJobExecutor implements Executor {
  readonly type = 'k8s-job';
  readonly settings: K8sJobConfig;
  constructor(raw: Record<string, unknown>) {
    this.settings = parseK8sJobConfig(raw);
  }
  executeTask(ctx: RunContext, node: TaskNode, scope: Scope): Promise<StepLog> {
    if (!process.env[IN_K8S_JOB]) throw new ConfigError(REFUSAL);
    return executeTaskNode(ctx, node, scope);
  }
  refusesInProcessRuns(): string | undefined {
    return process.env[IN_K8S_JOB] ? undefined : REFUSAL;
  }
  config(): Record<string, unknown> {
    return { service_name: 'k8s-job', service_type: 'pipeline_executor', image: this.settings.jobSpec.template.spec.container.image };
  }
}

/**
 * Writes the Job (or CronJob) manifest of a pipeline file, or of a job file (`export default job(Train)`, whose pod
 * runs `runnable job`), with the configuration's `k8s-job` settings.
 */
export function exportK8sJob(opts: { pipelineName: string; kind?: 'pipeline' | 'job'; file: string; exportName?: string; configFile?: string; parametersFile?: string; runId?: string; output?: string }): { manifest: Manifest; output: string; submit: string } {
  const loaded = loadConfig({ configFile: opts.configFile });
  if (loaded.config.executor?.type !== 'k8s-job') {
    throw new ConfigError(`${loaded.file ?? 'The embedded default configuration'} does not select the k8s-job executor (executor.type is '${loaded.config.executor?.type ?? 'local'}').`);
  }
  const job = parseK8sJobConfig((loaded.config.executor.config ?? {}) as Record<string, unknown>);
  const runId = opts.runId ?? generateRunId();
  const problem = validateRunId(runId);
  if (problem) throw new ConfigError(problem);
  const posix = (p: string) => p.split(path.sep).join('/');
  const manifest = buildK8sJob({
    job,
    config: loaded.config,
    name: opts.pipelineName,
    ...(opts.kind && { kind: opts.kind }),
    runArgs: [
      posix(opts.file),
      ...(opts.exportName && opts.exportName !== 'default' ? ['--export', opts.exportName] : []),
      ...(loaded.file ? ['--config', posix(loaded.file)] : []),
      ...(opts.parametersFile ? ['--params', posix(opts.parametersFile)] : []),
    ],
    ...(!job.schedule && { runId }),
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const YAML = require('yaml') as typeof import('yaml');
  const output = opts.output ?? job.outputFile ?? 'k8s-job.yaml';
  fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
  fs.writeFileSync(output, YAML.stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false }));
  return { manifest, output, submit: `kubectl apply -f ${output}${job.schedule ? '' : `    # run id ${runId}`}` };
}
