import { ConfigError } from '../../config/load';

/** Container settings of the `argo` executor: `defaults` for every pod, named `overrides` selected per step. */
export interface ArgoContainerSettings {
  /** The image with the project in `workingDir` and runnable-ts installed (see examples/argo/Dockerfile). */
  image?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  resources?: {
    limits?: { memory?: string; cpu?: string; gpu?: number | string };
    requests?: { memory?: string; cpu?: string };
  };
  /** Extra environment variables of the container. */
  env?: ReadonlyArray<{ name: string; value: string }>;
  /** Seconds a pod may run before Argo kills it (template `activeDeadlineSeconds`). Default 86400 in `defaults`. */
  activeDeadlineSeconds?: number;
  nodeSelector?: Readonly<Record<string, string>>;
  tolerations?: ReadonlyArray<Record<string, unknown>>;
  /** Argo retryStrategy (note the spelling `backoff`, which is Argo's). A step's own `retry` takes precedence. */
  retryStrategy?: { limit?: number | string; retryPolicy?: 'Always' | 'OnFailure' | 'OnError' | 'OnTransientError'; backoff?: { duration?: string; factor?: number | string; maxDuration?: string } };
  /** Argo template timeout (e.g. '10m'). */
  timeout?: string;
}

/** `executor: { type: 'argo', config }` in runnable.config.ts: how a pipeline becomes an Argo Workflow. */
export interface ArgoExecutorConfig {
  /** Settings of every pod; `image` is required. */
  defaults: ArgoContainerSettings & { image: string };
  /** Named settings a step selects with `.step(Train, { overrides: { argo: 'gpu' } })`. */
  overrides?: Readonly<Record<string, ArgoContainerSettings>>;
  argoWorkflow?: {
    metadata?: { generateName?: string; namespace?: string; labels?: Readonly<Record<string, string>>; annotations?: Readonly<Record<string, string>> };
    spec?: {
      serviceAccountName?: string;
      parallelism?: number;
      activeDeadlineSeconds?: number;
      podGC?: { strategy?: string; deleteDelayDuration?: string; labelSelector?: Record<string, unknown> };
      nodeSelector?: Readonly<Record<string, string>>;
      tolerations?: ReadonlyArray<Record<string, unknown>>;
      retryStrategy?: ArgoContainerSettings['retryStrategy'];
    };
  };
  /** PersistentVolumeClaim shared by every pod: the run-log store's and the catalog's folders are mounted from it. */
  pvcForRunnable?: string;
  customVolumes?: ReadonlyArray<{ mountPath: string; persistentVolumeClaim: { claimName: string; readOnly?: boolean } }>;
  /** Scalar initial parameters become workflow arguments (editable at submit time with -p). Default true. */
  exposeParametersAsInputs?: boolean;
  /** Kubernetes Secret holding the steps' declared secrets (one key per secret name). */
  secretFromK8s?: string;
  /** 'DEBUG' makes every pod print its steps' output and stack traces (--verbose). Default 'INFO'. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
  /** Emit a CronWorkflow running on these schedules instead of a Workflow. */
  cronSchedule?: { schedules: readonly string[]; timezone?: string };
  /** Where `runnable run` writes the manifest. Default argo-pipeline.yaml. */
  outputFile?: string;
  /** The project's folder inside the image (the pods' working directory). Default /app. */
  workingDir?: string;
  /** How the image runs the CLI. Default ['npx', 'runnable']. */
  runnableCommand?: readonly string[];
}

const KEYS = [
  'defaults',
  'overrides',
  'argoWorkflow',
  'pvcForRunnable',
  'customVolumes',
  'exposeParametersAsInputs',
  'secretFromK8s',
  'logLevel',
  'cronSchedule',
  'outputFile',
  'workingDir',
  'runnableCommand',
] as const;

const SNAKE: Record<string, (typeof KEYS)[number]> = {
  argo_workflow: 'argoWorkflow',
  pvc_for_runnable: 'pvcForRunnable',
  custom_volumes: 'customVolumes',
  expose_parameters_as_inputs: 'exposeParametersAsInputs',
  secret_from_k8s: 'secretFromK8s',
  log_level: 'logLevel',
  cron_schedule: 'cronSchedule',
  output_file: 'outputFile',
};

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Checks the `argo` executor's config (camelCase, or the original's snake_case names) and fills defaults. */
export function parseArgoConfig(raw: Record<string, unknown>): ArgoExecutorConfig {
  const cfg: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const key = SNAKE[k] ?? k;
    if (!(KEYS as readonly string[]).includes(key)) {
      const hint = k === 'configmapCacheName' || k === 'configmap_cache_name' ? ' (not needed: pods of a resubmitted run skip the steps that succeeded, without memoization)' : '';
      throw new ConfigError(`executor.config.${k} is not a setting of 'argo'${hint}. Allowed: ${KEYS.join(', ')}.`);
    }
    cfg[key] = v;
  }
  const defaults = cfg.defaults;
  if (!isObject(defaults) || typeof defaults.image !== 'string' || !defaults.image) {
    throw new ConfigError(`executor.config.defaults.image is required for 'argo': the image with your project and runnable-ts (e.g. defaults: { image: 'registry.example.com/my-project:1.0' }; see examples/argo/Dockerfile).`);
  }
  if (cfg.overrides !== undefined && !isObject(cfg.overrides)) throw new ConfigError(`executor.config.overrides must be an object of named settings, e.g. { gpu: { resources: { limits: { gpu: 1 } } } }.`);
  for (const [name, o] of Object.entries((cfg.overrides ?? {}) as Record<string, unknown>)) {
    if (!isObject(o)) throw new ConfigError(`executor.config.overrides.${name} must be an object with container settings (image, resources, env, ...).`);
  }
  if (cfg.customVolumes !== undefined) {
    if (!Array.isArray(cfg.customVolumes)) throw new ConfigError(`executor.config.customVolumes must be a list of { mountPath, persistentVolumeClaim: { claimName } }.`);
    cfg.customVolumes.forEach((v: unknown, i) => {
      const ok = isObject(v) && typeof v.mountPath === 'string' && v.mountPath.startsWith('/') && isObject(v.persistentVolumeClaim) && typeof v.persistentVolumeClaim.claimName === 'string';
      if (!ok) throw new ConfigError(`executor.config.customVolumes[${i}] must be { mountPath: '/absolute/path', persistentVolumeClaim: { claimName: 'name', readOnly?: boolean } }.`);
    });
  }
  if (cfg.cronSchedule !== undefined) {
    const c = cfg.cronSchedule;
    if (!isObject(c) || !Array.isArray(c.schedules) || !c.schedules.length || !c.schedules.every((s) => typeof s === 'string' && s.trim().split(/\s+/).length === 5)) {
      throw new ConfigError(`executor.config.cronSchedule must be { schedules: ['0 3 * * *'], timezone?: 'Europe/London' } with 5-field cron expressions.`);
    }
  }
  if (cfg.runnableCommand !== undefined && (!Array.isArray(cfg.runnableCommand) || !cfg.runnableCommand.length || !cfg.runnableCommand.every((s) => typeof s === 'string'))) {
    throw new ConfigError(`executor.config.runnableCommand must be a non-empty list of strings, e.g. ['npx', 'runnable'].`);
  }
  for (const k of ['pvcForRunnable', 'secretFromK8s', 'outputFile', 'workingDir'] as const) {
    if (cfg[k] !== undefined && typeof cfg[k] !== 'string') throw new ConfigError(`executor.config.${k} must be a string.`);
  }
  if (cfg.workingDir !== undefined && !(cfg.workingDir as string).startsWith('/')) throw new ConfigError(`executor.config.workingDir must be an absolute path inside the image, e.g. '/app'.`);
  if (cfg.logLevel !== undefined && !['DEBUG', 'INFO', 'WARNING', 'ERROR'].includes(String(cfg.logLevel).toUpperCase())) {
    throw new ConfigError(`executor.config.logLevel must be one of DEBUG, INFO, WARNING, ERROR; got ${JSON.stringify(cfg.logLevel)}.`);
  }
  return cfg as unknown as ArgoExecutorConfig;
}
