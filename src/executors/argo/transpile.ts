import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { buildGraph, isTaskNode, isTerminal, type CompositeNode, type ExecutableNode, type Graph, type TaskNode } from '../../graph/graph';
import type { RunnableConfig } from '../../config/types';
import type { Parameter } from '../../stores/run-log/types';
import { PipelineDefinitionError } from '../../errors';
import type { ArgoContainerSettings, ArgoExecutorConfig } from './config';
import type { AnyPipeline } from '../../types/any';

/** A JSON object of the manifest. */
export type { Manifest } from '../../types/any';
import type { Manifest } from '../../types/any';

export interface TranspileInput {
  pipeline: AnyPipeline;
  /** The pipeline file as the pods see it: relative to `workingDir` (or absolute inside the image). */
  file: string;
  /** The export, when not `default`. */
  exportName?: string;
  argo: ArgoExecutorConfig;
  /** The configuration the pods load (`--config`), relative to `workingDir`; undefined: the embedded defaults. */
  configFile?: string;
  /** The whole configuration (for the run-log store's and the catalog's folders). */
  config: RunnableConfig;
  /** Parameters file the pods pass when they create the run (`--params`). */
  parametersFile?: string;
  /** Initial parameters known at transpile time (pipeline defaults, parameters file): scalars become arguments. */
  initialParameters: Record<string, Parameter>;
}

export const ENTRYPOINT = 'runnable-dag';
/** Where fan pods write their output parameter: the container's own /tmp, never the shared volume. */
export const FAN_OUTPUT = '/tmp/runnable-fan/output';
export const FAN_NEXT = '/tmp/runnable-fan/next';
const RUN_ID = '{{workflow.parameters.run_id}}';
/**
 * Seconds a pod gets beyond its step's `timeout`: to start, load the pipeline and record the timed-out attempt. Within
 * the step's timeout the step's own guard fails the attempt (recorded, as locally); the pod's deadline only stops a
 * step that blocks its process (synchronous code no timer can interrupt).
 */
export const POD_START_ALLOWANCE_S = 60;

const hash = (s: string, n = 6) => createHash('sha1').update(s).digest('hex').slice(0, n);

/** Argo/Kubernetes-safe name: lower case, [a-z0-9-], at most `max` characters, plus a hash of `id` so names never collide. */
export function argoName(readable: string, id: string, max = 60): string {
  const base = readable
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, max)
    .replace(/-$/, '');
  // Argo refuses a DAG task name starting with a digit when its DAG uses depends (workflow/validate/validate.go)
  return `${/^[0-9]/.test(base) ? `x-${base}` : base || 'x'}-${hash(id)}`;
}

/** A parameter value as Argo wants it (a string): strings as they are unless they would read as JSON, else JSON. */
function argumentValue(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  try {
    JSON.parse(value);
    return JSON.stringify(value);
  } catch {
    return value;
  }
}

interface Where {
  /** Dot-path prefix of the graph's steps in the run log, with `{{inputs.parameters.key-N}}` for iteration keys. */
  prefix: string;
  /** A stable id of the graph's position (for hashes). */
  id: string;
  /** Iteration-key parameters in scope (`key-0` outermost). */
  keys: string[];
}

class Transpiler {
  private readonly templates: Manifest[] = [];
  private readonly names = new Set<string>();
  private readonly cmd: string[];
  private readonly common: string[];
  private readonly workingDir: string;
  private readonly mounts: Manifest[] = [];
  private readonly volumes: Manifest[] = [];
  private readonly exposed: [string, string][] = [];

  constructor(private readonly input: TranspileInput) {
    const { argo } = input;
    this.cmd = [...(argo.runnableCommand ?? ['npx', 'runnable'])];
    this.common = [
      ...(input.exportName && input.exportName !== 'default' ? ['--export', input.exportName] : []),
      ...(input.configFile ? ['--config', input.configFile] : []),
      ...(String(argo.logLevel ?? '').toUpperCase() === 'DEBUG' ? ['--verbose'] : []),
    ];
    this.workingDir = argo.workingDir ?? '/app';
    if (argo.pvcForRunnable) {
      this.volumes.push({ name: 'runnable', persistentVolumeClaim: { claimName: argo.pvcForRunnable } });
      const rl = (input.config.runLogStore?.config as { log_folder?: string } | undefined)?.log_folder ?? '.run_log_store';
      const cat = (input.config.catalog?.config as { catalog_location?: string } | undefined)?.catalog_location ?? '.catalog';
      this.mounts.push({ name: 'runnable', mountPath: path.posix.resolve(this.workingDir, rl), subPath: 'run-logs' });
      this.mounts.push({ name: 'runnable', mountPath: path.posix.resolve(this.workingDir, cat), subPath: 'catalog' });
    }
    (argo.customVolumes ?? []).forEach((v, i) => {
      this.volumes.push({ name: `custom-volume-${i}`, persistentVolumeClaim: { claimName: v.persistentVolumeClaim.claimName, ...(v.persistentVolumeClaim.readOnly && { readOnly: true }) } });
      this.mounts.push({ name: `custom-volume-${i}`, mountPath: v.mountPath, ...(v.persistentVolumeClaim.readOnly && { readOnly: true }) });
    });
    for (const m of this.mounts) {
      if (FAN_OUTPUT.startsWith(`${m.mountPath}/`)) throw new PipelineDefinitionError(`argo: the volume mounted at ${m.mountPath} would hide the fan pods' output file ${FAN_OUTPUT}; mount it elsewhere.`);
    }
    if (argo.exposeParametersAsInputs !== false) {
      for (const [name, p] of Object.entries(input.initialParameters)) {
        const v = p.value;
        if (p.kind !== 'json' || (v !== null && typeof v === 'object') || !/^[-a-zA-Z0-9_]+$/.test(name)) continue;
        if (['run_id', 'retry_run_id', 'retry_indicator'].includes(name)) continue;
        this.exposed.push([name, argumentValue(v)]);
      }
    }
  }

  private unique(name: string): string {
    if (this.names.has(name)) throw new Error(`internal: template name '${name}' generated twice`);
    this.names.add(name);
    return name;
  }

  private settings(node?: TaskNode): { container: ArgoContainerSettings; template: ArgoContainerSettings } {
    const d = this.input.argo.defaults;
    const key = node?.options.overrides?.argo;
    if (key === undefined) return { container: d, template: {} };
    const o = this.input.argo.overrides?.[key];
    if (!o) {
      const known = Object.keys(this.input.argo.overrides ?? {});
      throw new PipelineDefinitionError(`Step '${node!.name}' selects the argo override '${key}', which executor.config.overrides does not define (${known.length ? `defined: ${known.join(', ')}` : 'none defined'}).`);
    }
    const env = new Map((d.env ?? []).map((e) => [e.name, e] as const));
    for (const e of o.env ?? []) env.set(e.name, e);
    return {
      container: {
        ...d,
        ...(o.image && { image: o.image }),
        ...(o.imagePullPolicy && { imagePullPolicy: o.imagePullPolicy }),
        resources: { limits: { ...d.resources?.limits, ...o.resources?.limits }, requests: { ...d.resources?.requests, ...o.resources?.requests } },
        env: [...env.values()],
      },
      template: o,
    };
  }

  private resources(s: ArgoContainerSettings): Manifest {
    const { gpu, ...limits } = { memory: '1Gi', cpu: '250m', ...s.resources?.limits };
    return {
      limits: { ...limits, ...(gpu !== undefined && { 'nvidia.com/gpu': String(gpu) }) },
      requests: { memory: '1Gi', cpu: '250m', ...s.resources?.requests },
    };
  }

  /** A container template running one CLI command. */
  private container(name: string, args: string[], where: Where, opts: { node?: TaskNode; outputs?: Manifest[]; env?: Manifest[] } = {}): string {
    const { container: c, template: t } = this.settings(opts.node);
    const secrets = opts.node?.options.secrets ?? [];
    if (secrets.length && !this.input.argo.secretFromK8s) {
      throw new PipelineDefinitionError(
        `Step '${opts.node!.name}' declares the secret(s) ${secrets.map((s) => `'${s}'`).join(', ')}, but executor.config.secretFromK8s names no Kubernetes Secret to read them from. Add secretFromK8s: '<secret name>' (a Secret with one key per secret name).`,
      );
    }
    const retry = opts.node?.options.retry;
    const retryStrategy =
      retry && retry.maxAttempts > 1
        ? { limit: retry.maxAttempts - 1, retryPolicy: 'Always', ...(retry.backoffMs && { backoff: { duration: `${Math.round(retry.backoffMs)}ms` } }) }
        : t.retryStrategy;
    // a step's own timeout takes precedence over its override's deadline, as its own retry does over retryStrategy
    const timeout = opts.node?.options.timeout;
    const deadline = timeout !== undefined ? Math.ceil(timeout / 1000) + POD_START_ALLOWANCE_S : t.activeDeadlineSeconds;
    this.templates.push({
      name: this.unique(name),
      ...(where.keys.length && { inputs: { parameters: where.keys.map((k) => ({ name: k })) } }),
      ...(opts.outputs && { outputs: { parameters: opts.outputs } }),
      container: {
        image: c.image,
        imagePullPolicy: c.imagePullPolicy ?? 'Always',
        command: [...this.cmd, ...args, ...this.common],
        workingDir: this.workingDir,
        env: [
          { name: 'RUNNABLE_RETRY_RUN_ID', value: '{{workflow.parameters.retry_run_id}}' },
          { name: 'RUNNABLE_RETRY_INDICATOR', value: '{{workflow.parameters.retry_indicator}}' },
          ...(opts.env ?? []),
          ...(c.env ?? []).map((e) => ({ name: e.name, value: String(e.value) })),
          ...secrets.map((s) => ({ name: s, valueFrom: { secretKeyRef: { name: this.input.argo.secretFromK8s, key: s } } })),
        ],
        resources: this.resources(c),
        ...(this.mounts.length && { volumeMounts: this.mounts }),
      },
      ...(retryStrategy && { retryStrategy }),
      ...(deadline !== undefined && { activeDeadlineSeconds: deadline }),
      ...(t.timeout !== undefined && { timeout: t.timeout }),
      ...(t.nodeSelector && { nodeSelector: t.nodeSelector }),
      ...(t.tolerations && { tolerations: t.tolerations }),
    });
    return name;
  }

  private dag(name: string, tasks: Manifest[], where: Where, extra: Manifest = {}): string {
    this.templates.push({
      name: this.unique(name),
      ...(where.keys.length && { inputs: { parameters: where.keys.map((k) => ({ name: k })) } }),
      ...extra,
      // Argo reads failFast of a DAG inside `dag` (a template-level failFast is for withItems expansions): false lets
      // the fan-in, the fail node and onFailure tasks run after a failure (Argo documents its default as stopping the
      // scheduling of new tasks after one failed)
      dag: { failFast: false, tasks },
    });
    return name;
  }

  private forward(keys: readonly string[], extra: Manifest[] = []): Manifest {
    const parameters = [...keys.map((k) => ({ name: k, value: `{{inputs.parameters.${k}}}` })), ...extra];
    return parameters.length ? { arguments: { parameters } } : {};
  }

  /** The DAG template of a graph (the pipeline, a branch, an on-failure pipeline). */
  private graph(g: Graph, where: Where, readable: string, first?: Manifest): string {
    const tasks: Manifest[] = first ? [first] : [];
    const chain: ExecutableNode[] = [];
    let current = g.startAt;
    for (;;) {
      const node = g.nodes.get(current)!;
      if (isTerminal(node)) break;
      chain.push(node);
      current = node.next;
    }
    const taskName = (n: ExecutableNode) => argoName(n.name, `${where.id}/${n.name}`, 50);
    let previous = first?.name as string | undefined;
    /** The `when` of the task after a step with onFailure: it runs only if the step itself succeeded. */
    let guard: string | undefined;
    const failOn: string[] = [];
    for (const node of chain) {
      const t = taskName(node);
      let template = isTaskNode(node) ? this.task(node, where) : this.composite(node, where);
      if (node.onFailure) {
        // The step and its onFailure pipeline in one DAG whose only leaf is the onFailure task: Succeeded when the
        // step succeeded or the recovery did. Side by side in this DAG, the failed step would make every leaf it
        // omits (the success node, the fail node) inherit 'Failed', and a recovered run would end as a Failed Workflow.
        const of = this.graph(node.onFailure, { ...where, id: `${where.id}/${node.name}/on-failure` }, `on-failure-${node.name}`);
        template = this.dag(
          argoName(`${node.name}-guarded`, `${where.id}/${node.name}/guarded`),
          [
            { name: 'step', template, ...this.forward(where.keys) },
            { name: 'on-failure', template: of, depends: 'step.Failed || step.Errored', ...this.forward(where.keys) },
          ],
          where,
          // an expression: Argo's validator has no {{tasks.X.status}} in a DAG's output scope, its expressions do
          { outputs: { parameters: [{ name: 'step', valueFrom: { expression: 'tasks.step.status' } }] } },
        );
      } else failOn.push(`${t}.Failed || ${t}.Errored`);
      tasks.push({ name: t, template, ...(previous && { depends: `${previous}.Succeeded` }), ...(guard && { when: guard }), ...this.forward(where.keys) });
      // after a recovery the run ended in the onFailure pipeline: what follows is Skipped
      guard = node.onFailure ? `'{{tasks.${t}.outputs.parameters.step}}' == 'Succeeded'` : undefined;
      previous = t;
    }
    const last = chain.at(-1)!;
    const lastTask = taskName(last);
    const terminals = new Map<string, string>();
    const terminal = (kind: 'success' | 'fail', depends: string, when?: string, name: string = kind) => {
      let tpl = terminals.get(kind);
      if (!tpl) terminals.set(kind, (tpl = this.container(argoName(`${readable}-${kind}`, `${where.id}/${kind}`), ['fan', RUN_ID, `${where.prefix}${kind}`, this.input.file, 'out'], where)));
      tasks.push({ name, template: tpl, depends, ...(when && { when }), ...this.forward(where.keys) });
    };
    if (last.next === 'success') terminal('success', `${lastTask}.Succeeded`, guard);
    // a last step that leads to fail (terminate: 'failure') with onFailure: only when the step itself succeeded
    else if (guard) terminal('fail', `${lastTask}.Succeeded`, guard, 'fail-after-last');
    else failOn.push(`${lastTask}.Succeeded`);
    if (failOn.length) terminal('fail', failOn.join(' || '));
    return this.dag(argoName(readable, where.id), tasks, where);
  }

  private task(node: TaskNode, where: Where): string {
    const id = `${where.id}/${node.name}`;
    return this.container(argoName(node.name, id), ['execute-single-node', RUN_ID, this.input.file, `${where.prefix}${node.name}`, '--one-attempt', '--cache-lookup'], where, { node });
  }

  private fanTemplate(node: CompositeNode, where: Where, direction: 'out' | 'in', extraArgs: string[] = [], outputs?: Manifest[], keys = where.keys): string {
    const id = `${where.id}/${node.name}/fan-${direction}`;
    return this.container(
      argoName(`${node.name}-fan-${direction}${extraArgs.length ? '-iteration' : ''}`, id + extraArgs.join(' ')),
      ['fan', RUN_ID, `${where.prefix}${node.name}`, this.input.file, direction, ...extraArgs, ...(outputs ? ['--output', FAN_OUTPUT] : [])],
      { ...where, keys },
      { ...(outputs && { outputs }) },
    );
  }

  private composite(node: CompositeNode, where: Where): string {
    const id = `${where.id}/${node.name}`;
    const path = `${where.prefix}${node.name}`;
    const depth = where.keys.length;
    const key = `key-${depth}`;
    const branchWhere = (branchKey: string, keyed: boolean): Where => ({
      prefix: `${path}.${keyed ? `{{inputs.parameters.${key}}}` : branchKey}.`,
      id: `${id}/${branchKey}`,
      keys: keyed ? [...where.keys, key] : where.keys,
    });
    // a default, so a fan pod that fails before writing its file ends Failed (routed to fail/onFailure), not Errored
    const out = (name: string) => ({ name, valueFrom: { path: FAN_OUTPUT, default: '' } });
    const done = (t: string, skipped = false) => `(${t}.Succeeded || ${t}.Failed || ${t}.Errored${skipped ? ` || ${t}.Skipped` : ''})`;
    switch (node.type) {
      case 'parallel': {
        const tasks: Manifest[] = [{ name: 'fan-out', template: this.fanTemplate(node, where, 'out'), ...this.forward(where.keys) }];
        const branchTasks: string[] = [];
        for (const [k, g] of node.branches) {
          const t = argoName(`branch-${k}`, `${id}/${k}`, 50);
          branchTasks.push(t);
          tasks.push({ name: t, template: this.graph(g, branchWhere(k, false), `${node.name}-${k}`), depends: 'fan-out.Succeeded', ...this.forward(where.keys) });
        }
        tasks.push({ name: 'fan-in', template: this.fanTemplate(node, where, 'in'), depends: branchTasks.map((t) => done(t)).join(' && '), ...this.forward(where.keys) });
        return this.dag(argoName(node.name, id), tasks, where);
      }
      case 'map': {
        const tasks: Manifest[] = [
          { name: 'fan-out', template: this.fanTemplate(node, where, 'out', [], [out('keys')]), ...this.forward(where.keys) },
          {
            name: 'iteration',
            template: this.graph(node.branch, branchWhere('*', true), `${node.name}-iteration`),
            depends: 'fan-out.Succeeded',
            withParam: '{{tasks.fan-out.outputs.parameters.keys}}',
            ...this.forward(where.keys, [{ name: key, value: '{{item}}' }]),
          },
          // An empty list makes the iteration task Skipped: the fan-in still closes the map (NOTES §1.14.4).
          { name: 'fan-in', template: this.fanTemplate(node, where, 'in'), depends: `fan-out.Succeeded && ${done('iteration', true)}`, ...this.forward(where.keys) },
        ];
        return this.dag(argoName(node.name, id), tasks, where, { parallelism: node.concurrency });
      }
      case 'conditional': {
        const tasks: Manifest[] = [{ name: 'fan-out', template: this.fanTemplate(node, where, 'out', [], [out('branch')]), ...this.forward(where.keys) }];
        const branchTasks: string[] = [];
        for (const [k, g] of node.branches) {
          if (!/^[A-Za-z0-9_.:+-]+$/.test(k)) {
            throw new PipelineDefinitionError(`conditional '${node.name}': branch name '${k}' cannot be compared safely in an Argo 'when' expression; use letters, digits and _ . : + - only.`);
          }
          const t = argoName(`branch-${k}`, `${id}/${k}`, 50);
          branchTasks.push(t);
          tasks.push({
            name: t,
            template: this.graph(g, branchWhere(k, false), `${node.name}-${k}`),
            depends: 'fan-out.Succeeded',
            // both sides are strings: '1' == '1' also holds for numbers and booleans (NOTES §1.14.5)
            when: `'{{tasks.fan-out.outputs.parameters.branch}}' == '${k}'`,
            ...this.forward(where.keys),
          });
        }
        tasks.push({ name: 'fan-in', template: this.fanTemplate(node, where, 'in'), depends: `fan-out.Succeeded && ${branchTasks.map((t) => done(t, true)).join(' && ')}`, ...this.forward(where.keys) });
        return this.dag(argoName(node.name, id), tasks, where);
      }
      case 'loop': {
        // A recursive template: one iteration, then itself again while the fan-in says so (NOTES §1.7).
        const iterKeys = [...where.keys, key];
        const iterWhere: Where = { ...where, keys: iterKeys };
        const iterName = argoName(`${node.name}-iteration`, `${id}/iteration`);
        const tasks: Manifest[] = [
          { name: 'fan-out', template: this.fanTemplate(node, where, 'out', ['--iteration', `{{inputs.parameters.${key}}}`], undefined, iterKeys), ...this.forward(iterKeys) },
          { name: 'body', template: this.graph(node.branch, branchWhere('*', true), `${node.name}-body`), depends: 'fan-out.Succeeded', ...this.forward(iterKeys) },
          {
            name: 'fan-in',
            template: this.container(
              argoName(`${node.name}-fan-in-iteration`, `${id}/fan-in`),
              ['fan', RUN_ID, path, this.input.file, 'in', '--iteration', `{{inputs.parameters.${key}}}`, '--output', FAN_OUTPUT, '--next-iteration-output', FAN_NEXT],
              iterWhere,
              { outputs: [out('continue'), { name: 'next', valueFrom: { path: FAN_NEXT, default: '' } }] },
            ),
            depends: done('body'),
            ...this.forward(iterKeys),
          },
          {
            name: 'next',
            template: iterName,
            depends: 'fan-in.Succeeded',
            when: `'{{tasks.fan-in.outputs.parameters.continue}}' == 'true'`,
            ...this.forward(where.keys, [{ name: key, value: '{{tasks.fan-in.outputs.parameters.next}}' }]),
          },
        ];
        this.dag(iterName, tasks, iterWhere);
        return this.dag(argoName(node.name, id), [{ name: 'iteration-0', template: iterName, ...this.forward(where.keys, [{ name: key, value: '0' }]) }], where);
      }
    }
  }

  build(): Manifest {
    const { argo, pipeline } = this.input;
    const createArgs = ['fan', RUN_ID, '.', this.input.file, 'out', ...(this.input.parametersFile ? ['--params', this.input.parametersFile] : [])];
    const create = this.container(argoName('create-run', 'create-run'), createArgs, { prefix: '', id: '', keys: [] }, {
      env: this.exposed.map(([name]) => ({ name: `RUNNABLE_PRM_${name}`, value: `{{workflow.parameters.${name}}}` })),
    });
    const root = this.graph(buildGraph(pipeline), { prefix: '', id: 'root', keys: [] }, 'pipeline', { name: 'create-run', template: create });
    // the entrypoint keeps its well-known name
    this.templates.find((t) => t.name === root)!.name = ENTRYPOINT;
    const d = argo.defaults;
    const ws = argo.argoWorkflow?.spec ?? {};
    const templateDefaults = {
      activeDeadlineSeconds: d.activeDeadlineSeconds ?? 86400,
      ...(d.nodeSelector && { nodeSelector: d.nodeSelector }),
      ...(d.tolerations && { tolerations: d.tolerations }),
      ...(d.retryStrategy && { retryStrategy: d.retryStrategy }),
      ...(d.timeout && { timeout: d.timeout }),
    };
    const spec: Manifest = {
      entrypoint: ENTRYPOINT,
      arguments: {
        parameters: [
          ...this.exposed.map(([name, value]) => ({ name, value })),
          // no value: `argo submit -p run_id=...` must give it (a CronWorkflow names each run after its workflow)
          argo.cronSchedule ? { name: 'run_id', value: '{{workflow.name}}' } : { name: 'run_id' },
          { name: 'retry_run_id', value: '' },
          { name: 'retry_indicator', value: '' },
        ],
      },
      ...(ws.serviceAccountName && { serviceAccountName: ws.serviceAccountName }),
      ...(ws.parallelism !== undefined && { parallelism: ws.parallelism }),
      ...(ws.activeDeadlineSeconds !== undefined && { activeDeadlineSeconds: ws.activeDeadlineSeconds }),
      ...(ws.podGC && { podGC: ws.podGC }),
      ...(ws.nodeSelector && { nodeSelector: ws.nodeSelector }),
      ...(ws.tolerations && { tolerations: ws.tolerations }),
      ...(ws.retryStrategy && { retryStrategy: ws.retryStrategy }),
      templateDefaults,
      ...(this.volumes.length && { volumes: this.volumes }),
      templates: this.templates,
    };
    const m = argo.argoWorkflow?.metadata ?? {};
    const generateName = m.generateName ?? `${argoName(pipeline.name, pipeline.name, 40).replace(/-[0-9a-f]{6}$/, '')}-`;
    const metadata = {
      ...(m.namespace && { namespace: m.namespace }),
      ...(m.labels && { labels: m.labels }),
      ...(m.annotations && { annotations: m.annotations }),
    };
    if (argo.cronSchedule) {
      return {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'CronWorkflow',
        metadata: { name: generateName.replace(/-+$/, ''), ...metadata },
        spec: { schedules: argo.cronSchedule.schedules, ...(argo.cronSchedule.timezone && { timezone: argo.cronSchedule.timezone }), workflowSpec: spec },
      };
    }
    return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { generateName, ...metadata }, spec };
  }
}

/** Turns a pipeline into an Argo Workflow (or CronWorkflow) manifest. Deterministic: same input, same output. */
export function transpile(input: TranspileInput): Manifest {
  return new Transpiler(input).build();
}
