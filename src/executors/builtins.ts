import { registerPlugin } from '../config/registry';
import { LocalExecutor } from './local';
import { EmulatorExecutor } from './emulator';
import { LocalContainerExecutor, type LocalContainerExecutorConfig } from './local-container';
import { MockedExecutor, type StepPatch } from './mocked';
import type { ArgoExecutor } from './argo';
import type { K8sJobExecutor } from './k8s-job';

/*
 * The built-in executors, selectable by `executor.type` in runnable.config.ts. They live here rather than in
 * src/config/registry.ts because the executors import the config (and the engine, which imports the config): the
 * registry stays below both, and the entry points (src/index.ts, the CLI, runnable-ts/testing) load this module.
 */

// The executors that write manifests are loaded when a configuration selects them, not at every start.
/* eslint-disable @typescript-eslint/no-require-imports */
const argo = () => require('./argo') as { ArgoExecutor: typeof ArgoExecutor };
const k8sJob = () => require('./k8s-job') as { K8sJobExecutor: typeof K8sJobExecutor };
/* eslint-enable @typescript-eslint/no-require-imports */

registerPlugin('executor', 'local', { create: () => new LocalExecutor(), configKeys: {}, description: 'every step in this process' });
registerPlugin('executor', 'emulator', {
  create: (c) => new EmulatorExecutor({ ...(c.maxProcesses !== undefined && { maxProcesses: c.maxProcesses as number }) }),
  configKeys: { maxProcesses: 'number' },
  description: 'every step in a fresh process (needs the chunked-fs run-log store)',
});

registerPlugin('executor', 'local-container', {
  create: (c) => new LocalContainerExecutor(c as unknown as LocalContainerExecutorConfig),
  configKeys: { image: 'string', binary: 'string', binaryArgs: 'array', environment: 'object', autoRemove: 'boolean', runArgs: 'array', maxContainers: 'number', overrides: 'object' },
  description: 'every step in a docker or podman container (needs the chunked-fs run-log store)',
});
registerPlugin('executor', 'mocked', {
  create: (c) => new MockedExecutor({ patches: c.patches as Record<string, StepPatch> | undefined, unpatched: 'fake', source: 'executor.config.patches' }),
  configKeys: { patches: 'object' },
  description: 'a dry run: every task step is a fake success unless patched',
});
// settings checked by parseArgoConfig (nested objects and lists, camelCase or the original's snake_case)
registerPlugin('executor', 'argo', { create: (c) => new (argo().ArgoExecutor)(c), description: 'writes an Argo Workflow: every step in its own pod' });
registerPlugin('executor', 'k8s-job', { create: (c) => new (k8sJob().K8sJobExecutor)(c), description: 'writes a Kubernetes Job: the whole run in one pod' });
