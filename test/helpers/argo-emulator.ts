/**
 * An Argo Workflow emulator for tests (a harness, not a product feature): it interprets a generated Workflow manifest
 * the way Argo's controller does (workflow/controller/dag.go) and runs every container template's command in a real
 * podman container of the manifest's image. No Kubernetes is needed. What it models:
 *
 *  - DAG templates: `depends` expressions (X, X.Succeeded/Failed/Errored/Skipped/Omitted/AnySucceeded/AllFailed, && ||
 *    ! and parentheses; a false expression makes the task Omitted), `when` (govaluate-like: quoted strings, numbers,
 *    booleans, == != < > <= >= && || ! and parentheses; false makes the task Skipped; a bare word is an error),
 *    `withParam` (a JSON list; `{{item}}` / `{{item.key}}`; an empty list makes the task Skipped), `dag.failFast`
 *    (default true: after a failure no new task starts), template `parallelism`, and the DAG's phase from its leaf
 *    tasks, an Omitted or Skipped leaf inheriting its branch's phase, Failed preferred (assessDAGPhase);
 *  - recursive templates (a DAG task calling its own template);
 *  - inputs/outputs parameters: `{{inputs.parameters.X}}`, `{{tasks.T.outputs.parameters.Y}}`, `{{tasks.T.status}}`,
 *    `{{workflow.parameters.Z}}`, `{{workflow.name|uid|namespace}}`; output parameters `valueFrom.path` read from the
 *    file the container wrote (one trailing newline stripped; `default` when missing), DAG outputs
 *    `valueFrom.parameter` and `valueFrom.expression` naming one variable (`tasks.step.status`); an unresolved
 *    `{{...}}` makes the node Error, as in Argo;
 *  - `retryStrategy` (limit, retryPolicy Always/OnFailure/OnError; backoff is not waited), `activeDeadlineSeconds` and
 *    `timeout` of a pod (the container is killed: Failed), `spec.templateDefaults`;
 *  - node phases Succeeded / Failed / Error / Skipped / Omitted, and the Workflow's phase (the entrypoint's).
 *
 * Volumes: a persistentVolumeClaim is a folder `<pvcRoot>/<claimName>` (subPath a sub-folder), mounted where the
 * manifest says; the project folder is mounted at the container's `workingDir` (what the image would hold). An output
 * file outside every volume is read from a per-pod folder mounted at its directory (Argo reads it from the container).
 * What it does not model: scheduling, images pulled from a registry, resources, RBAC, memoization, steps templates
 * (the generator emits none: they are refused), pod GC. See docs/argo.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PODMAN_ARGS, PODMAN_RUN_ARGS } from './podman';

type Manifest = Record<string, any>;
export type Phase = 'Succeeded' | 'Failed' | 'Error' | 'Skipped' | 'Omitted';

export interface EmulatedNode {
  /** Argo's node name: `<workflow>.<task>.<task>(0:item)...`. */
  name: string;
  type: 'Pod' | 'DAG' | 'TaskGroup' | 'Retry' | 'Skipped';
  template?: string;
  phase: Phase;
  message?: string;
  outputs?: Record<string, string>;
  exitCode?: number;
}

export interface EmulatedWorkflow {
  phase: Phase;
  message?: string;
  nodes: EmulatedNode[];
  /** Containers started. */
  pods: number;
  /** The pods' command lines, in start order (after substitution). */
  commands: string[][];
}

export interface EmulatorOptions {
  /** `-p name=value` of `argo submit`. */
  parameters?: Record<string, string>;
  /** The project as the image holds it: mounted at each container's workingDir. */
  projectDir: string;
  /** Each PersistentVolumeClaim is the folder `<pvcRoot>/<claimName>`. */
  pvcRoot: string;
  /** Host folders mounted at the same path (the runnable-ts package the image would hold), as local-container does. */
  sameMounts?: string[];
  /** Kubernetes Secrets: name -> key -> value (for `secretKeyRef`). */
  secrets?: Record<string, Record<string, string>>;
  /** Pods running at once. Default 2. */
  maxPods?: number;
  binary?: string;
  binaryArgs?: string[];
  runArgs?: string[];
  /**
   * Runs a pod instead of podman (the emulator's own unit tests): resolves with the exit code, or 'deadline' for a pod
   * killed at its deadline; `file` maps a path of the container to the host (to write output parameters).
   */
  runner?: (pod: { node: string; template: string; argv: string[]; env: Record<string, string>; deadline?: number; file: (p: string) => string | undefined }) => Promise<number | 'deadline'>;
  /** Each pod's output, for debugging. */
  onOutput?: (pod: string, text: string) => void;
}

/** A node ends Error with this (Argo: a template or variable it cannot resolve). */
class NodeError extends Error {}

interface Result {
  phase: Phase;
  outputs: Record<string, string>;
  message?: string;
  /** TaskGroup children's phases (AnySucceeded / AllFailed). */
  children?: Phase[];
}

const COMPLETED = (p: Phase) => p === 'Succeeded' || p === 'Failed' || p === 'Error';
const FAILED = (p: Phase) => p === 'Failed' || p === 'Error';

/** `{{x}}` replaced from `scope`; an unknown variable throws NodeError (Argo: "failed to resolve"). */
export function substitute(value: string, scope: Record<string, string>, keep: (name: string) => boolean = () => false): string {
  return value.replace(/\{\{([^{}]*)\}\}/g, (m, raw: string) => {
    const name = raw.trim();
    if (name in scope) return scope[name]!;
    if (keep(name)) return m;
    throw new NodeError(`failed to resolve {{${name}}}`);
  });
}

function deepSubstitute<T>(value: T, scope: Record<string, string>, keep?: (name: string) => boolean): T {
  if (typeof value === 'string') return substitute(value, scope, keep) as T;
  if (Array.isArray(value)) return value.map((v) => deepSubstitute(v, scope, keep)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepSubstitute(v, scope, keep)])) as T;
  return value;
}

// ---- expressions ---------------------------------------------------------------------------------------------

type Token = { t: 'op'; v: string } | { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'word'; v: string };

function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) i++;
    else if (c === "'" || c === '"') {
      const end = expr.indexOf(c, i + 1);
      if (end < 0) throw new NodeError(`unterminated string in '${expr}'`);
      out.push({ t: 'str', v: expr.slice(i + 1, end) });
      i = end + 1;
    } else {
      const op = /^(&&|\|\||==|!=|<=|>=|<|>|!|\(|\))/.exec(expr.slice(i));
      if (op) {
        out.push({ t: 'op', v: op[1]! });
        i += op[1]!.length;
        continue;
      }
      const num = /^-?\d+(\.\d+)?(?![\w.-]*[a-zA-Z_])/.exec(expr.slice(i));
      if (num) {
        out.push({ t: 'num', v: Number(num[0]) });
        i += num[0].length;
        continue;
      }
      const word = /^[A-Za-z0-9_][-A-Za-z0-9_.]*/.exec(expr.slice(i));
      if (!word) throw new NodeError(`cannot read '${expr.slice(i)}' in '${expr}'`);
      out.push({ t: 'word', v: word[0] });
      i += word[0].length;
    }
  }
  return out;
}

/** A small Pratt parser over `|| && ! comparison`, evaluating words with `word`. */
function evaluate(expr: string, word: (w: string) => unknown): unknown {
  const toks = tokenize(expr);
  let p = 0;
  const peek = () => toks[p];
  const isOp = (v: string) => peek()?.t === 'op' && peek()!.v === v;
  const primary = (): unknown => {
    const tok = toks[p++];
    if (!tok) throw new NodeError(`unexpected end of '${expr}'`);
    if (tok.t === 'op' && tok.v === '(') {
      const v = or();
      if (!isOp(')')) throw new NodeError(`missing ) in '${expr}'`);
      p++;
      return v;
    }
    if (tok.t === 'op' && tok.v === '!') return !truthy(primary());
    if (tok.t === 'str' || tok.t === 'num') return tok.v;
    if (tok.t === 'word') return tok.v === 'true' ? true : tok.v === 'false' ? false : word(tok.v);
    throw new NodeError(`unexpected '${tok.v}' in '${expr}'`);
  };
  const truthy = (v: unknown) => {
    if (typeof v !== 'boolean') throw new NodeError(`'${expr}': ${JSON.stringify(v)} is not a boolean`);
    return v;
  };
  const comparison = (): unknown => {
    const left = primary();
    const tok = peek();
    if (tok?.t === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(tok.v)) {
      p++;
      const right = primary();
      switch (tok.v) {
        case '==':
          return left === right; // govaluate: '1' == 1 is false
        case '!=':
          return left !== right;
        default: {
          if (typeof left !== typeof right || (typeof left !== 'number' && typeof left !== 'string')) throw new NodeError(`'${expr}': cannot compare ${JSON.stringify(left)} and ${JSON.stringify(right)}`);
          const [a, b] = [left as number, right as number];
          return tok.v === '<' ? a < b : tok.v === '>' ? a > b : tok.v === '<=' ? a <= b : a >= b;
        }
      }
    }
    return left;
  };
  const and = (): unknown => {
    let v = comparison();
    while (isOp('&&')) {
      p++;
      const r = comparison();
      v = truthy(v) && truthy(r);
    }
    return v;
  };
  const or = (): unknown => {
    let v = and();
    while (isOp('||')) {
      p++;
      const r = and();
      v = truthy(v) || truthy(r);
    }
    return v;
  };
  const v = or();
  if (p !== toks.length) throw new NodeError(`unexpected '${JSON.stringify(toks[p])}' in '${expr}'`);
  return truthy(v);
}

/** Task names a depends expression references. */
export function dependsNames(expr: string | undefined): string[] {
  if (!expr) return [];
  return [...new Set(tokenize(expr).filter((t): t is Extract<Token, { t: 'word' }> => t.t === 'word').map((t) => t.v.replace(/\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed)$/, '')))];
}

/** Evaluates a `depends` expression over the dependencies' results (workflow/controller/dag.go). */
export function evalDepends(expr: string, results: Map<string, Result>): boolean {
  return evaluate(expr, (w) => {
    const m = /^(.*?)(?:\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed))?$/.exec(w)!;
    const r = results.get(m[1]!);
    if (!r) throw new NodeError(`depends '${expr}' names '${m[1]}', which is not a task of this DAG`);
    switch (m[2]) {
      case undefined: // a bare name: Succeeded, Skipped or Daemoned (no continueOn)
        return r.phase === 'Succeeded' || r.phase === 'Skipped';
      case 'Errored':
        return r.phase === 'Error';
      case 'Daemoned':
        return false;
      case 'AnySucceeded':
        return (r.children ?? []).some((c) => c === 'Succeeded');
      case 'AllFailed':
        return !!r.children?.length && r.children.every((c) => c === 'Failed');
      default:
        return r.phase === m[2];
    }
  }) as boolean;
}

/** Evaluates a `when` after substitution, as govaluate does (a bare word is an unknown variable: an error). */
export function evalWhen(expr: string): boolean {
  return evaluate(expr, (w) => {
    throw new NodeError(`when '${expr}': '${w}' is not a quoted string, a number or a boolean`);
  }) as boolean;
}

/** Argo durations: '90', '30s', '5m', '1h30m'. */
function seconds(d: unknown): number | undefined {
  if (d === undefined || d === null || d === '') return undefined;
  if (typeof d === 'number') return d;
  const s = String(d);
  if (/^\d+$/.test(s)) return Number(s);
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/g;
  let m: RegExpExecArray | null;
  let seen = '';
  while ((m = re.exec(s))) {
    total += Number(m[1]) * { h: 3600, m: 60, s: 1, ms: 0.001 }[m[2] as 'h' | 'm' | 's' | 'ms'];
    seen += m[0];
  }
  if (seen !== s) throw new NodeError(`'${s}' is not a duration`);
  return total;
}

class Semaphore {
  private queue: (() => void)[] = [];
  constructor(private free: number) {}
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((r) => this.queue.push(r));
  }
  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.free++;
  }
}

// ---- the controller --------------------------------------------------------------------------------------------

/** Runs a Workflow manifest to its end, every pod a podman container. Resolves with the nodes and the phase. */
export async function emulateWorkflow(manifest: Manifest, opts: EmulatorOptions): Promise<EmulatedWorkflow> {
  return new Emulator(manifest, opts).run();
}

class Emulator {
  private readonly spec: Manifest;
  private readonly templates = new Map<string, Manifest>();
  private readonly global: Record<string, string> = {};
  private readonly nodes: EmulatedNode[] = [];
  private readonly commands: string[][] = [];
  private readonly pods: Semaphore;
  private readonly scratch: string;
  private podCount = 0;

  constructor(manifest: Manifest, private readonly opts: EmulatorOptions) {
    if (manifest.kind !== 'Workflow') throw new Error(`the emulator runs a Workflow, got kind ${manifest.kind} (a CronWorkflow's workflowSpec is submitted as a Workflow)`);
    this.spec = manifest.spec;
    for (const t of this.spec.templates ?? []) this.templates.set(t.name, t);
    const name = `${manifest.metadata?.generateName ?? 'workflow-'}${createHash('sha1').update(randomUUID()).digest('hex').slice(0, 5)}`;
    Object.assign(this.global, { 'workflow.name': name, 'workflow.uid': randomUUID(), 'workflow.namespace': manifest.metadata?.namespace ?? 'default' });
    const given = { ...opts.parameters };
    for (const p of this.spec.arguments?.parameters ?? []) {
      const v = given[p.name] ?? p.value;
      delete given[p.name];
      if (v === undefined) throw new Error(`argo submit: parameter '${p.name}' has no value: give it with -p ${p.name}=...`);
      this.global[`workflow.parameters.${p.name}`] = String(v);
    }
    const unknown = Object.keys(given);
    if (unknown.length) throw new Error(`argo submit: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a parameter of the workflow`);
    // workflow parameters may refer to workflow.name (a CronWorkflow's run_id)
    for (const [k, v] of Object.entries(this.global)) this.global[k] = substitute(v, this.global);
    this.pods = new Semaphore(Math.max(1, opts.maxPods ?? 2));
    this.scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'argo-emu-'));
  }

  async run(): Promise<EmulatedWorkflow> {
    try {
      const r = await this.execute(this.spec.entrypoint, {}, this.global['workflow.name']!);
      return { phase: r.phase, ...(r.message && { message: r.message }), nodes: this.nodes, pods: this.podCount, commands: this.commands };
    } finally {
      fs.rmSync(this.scratch, { recursive: true, force: true });
    }
  }

  private record(n: EmulatedNode): void {
    this.nodes.push(n);
  }

  /** A template with templateDefaults under it (Argo merges them into every template). */
  private template(name: string): Manifest {
    const t = this.templates.get(name);
    if (!t) throw new NodeError(`template '${name}' does not exist`);
    return { ...(this.spec.templateDefaults ?? {}), ...t };
  }

  private async execute(templateName: string, args: Record<string, string>, nodeName: string): Promise<Result> {
    let tpl: Manifest;
    const scope: Record<string, string> = { ...this.global };
    try {
      tpl = this.template(templateName);
      const given = { ...args };
      for (const p of tpl.inputs?.parameters ?? []) {
        const v = given[p.name] ?? p.value ?? p.default;
        delete given[p.name];
        if (v === undefined) throw new NodeError(`inputs.parameters.${p.name} was not supplied`);
        scope[`inputs.parameters.${p.name}`] = String(v);
      }
      if (Object.keys(given).length) throw new NodeError(`template '${templateName}' has no input ${Object.keys(given).join(', ')}`);
    } catch (err) {
      if (!(err instanceof NodeError)) throw err;
      this.record({ name: nodeName, type: 'Pod', template: templateName, phase: 'Error', message: err.message });
      return { phase: 'Error', outputs: {}, message: err.message };
    }
    if (tpl.container) return this.retrying(tpl, scope, nodeName);
    if (tpl.dag) return this.dag(tpl, scope, nodeName);
    const message = `template '${templateName}': only container and dag templates are emulated (the generator emits no other kind)`;
    this.record({ name: nodeName, type: 'Pod', template: templateName, phase: 'Error', message });
    return { phase: 'Error', outputs: {}, message };
  }

  /** retryStrategy: a Retry node whose children are the pods. */
  private async retrying(tpl: Manifest, scope: Record<string, string>, nodeName: string): Promise<Result> {
    const rs = tpl.retryStrategy;
    if (!rs) return this.pod(tpl, scope, nodeName);
    const limit = rs.limit === undefined ? Infinity : Number(substitute(String(rs.limit), scope));
    const policy = rs.retryPolicy ?? 'OnFailure';
    let r: Result;
    for (let i = 0; ; i++) {
      r = await this.pod(tpl, { ...scope, retries: String(i) }, `${nodeName}(${i})`);
      if (r.phase === 'Succeeded' || i >= limit) break;
      const again = policy === 'Always' || (policy === 'OnFailure' && r.phase === 'Failed') || (policy === 'OnError' && r.phase === 'Error');
      if (!again) break;
    }
    this.record({ name: nodeName, type: 'Retry', template: tpl.name, phase: r.phase, ...(r.message && { message: r.message }), outputs: r.outputs });
    return r;
  }

  /** Where a path inside the container is on the host, through the pod's mounts. */
  private async pod(tpl: Manifest, scope: Record<string, string>, nodeName: string): Promise<Result> {
    const podName = `argoemu-${createHash('sha256').update(`${nodeName}\0${process.pid}\0${this.podCount}\0${randomUUID()}`).digest('hex').slice(0, 16)}`;
    const podDir = path.join(this.scratch, podName);
    let c: Manifest;
    let outputs: Manifest[];
    const mounts: { host: string; target: string; ro?: boolean }[] = [];
    const env: Record<string, string> = {};
    let deadline: number | undefined;
    try {
      c = deepSubstitute(tpl.container, scope);
      outputs = deepSubstitute(tpl.outputs?.parameters ?? [], scope);
      if (c.workingDir) mounts.push({ host: this.opts.projectDir, target: c.workingDir });
      for (const m of this.opts.sameMounts ?? []) mounts.push({ host: m, target: m });
      const volumes = [...(this.spec.volumes ?? []), ...(tpl.volumes ?? [])];
      for (const vm of c.volumeMounts ?? []) {
        const v = volumes.find((x: Manifest) => x.name === vm.name);
        if (!v) throw new NodeError(`volumeMount '${vm.name}' names no volume`);
        let host: string;
        if (v.persistentVolumeClaim) host = path.join(this.opts.pvcRoot, v.persistentVolumeClaim.claimName, vm.subPath ?? '');
        else if (v.emptyDir) host = path.join(podDir, 'empty', vm.name, vm.subPath ?? '');
        else throw new NodeError(`volume '${vm.name}': only persistentVolumeClaim and emptyDir volumes are emulated`);
        fs.mkdirSync(host, { recursive: true });
        mounts.push({ host, target: vm.mountPath, ro: !!(vm.readOnly || v.persistentVolumeClaim?.readOnly) });
      }
      for (const o of outputs) {
        const p = o.valueFrom?.path;
        if (!p) throw new NodeError(`output parameter '${o.name}': only valueFrom.path is emulated for containers`);
        if (this.hostPath(mounts, p)) continue;
        const dir = path.posix.dirname(p);
        const host = path.join(podDir, 'out', String(mounts.length));
        fs.mkdirSync(host, { recursive: true });
        mounts.push({ host, target: dir });
      }
      for (const e of c.env ?? []) {
        if (e.valueFrom?.secretKeyRef) {
          const { name, key } = e.valueFrom.secretKeyRef;
          const v = this.opts.secrets?.[name]?.[key];
          if (v === undefined) throw new NodeError(`secret '${name}' has no key '${key}' (CreateContainerConfigError)`);
          env[e.name] = v;
        } else env[e.name] = String(e.value ?? '');
      }
      const limits = [seconds(tpl.activeDeadlineSeconds), seconds(tpl.timeout)].filter((x): x is number => x !== undefined);
      deadline = limits.length ? Math.min(...limits) : undefined;
    } catch (err) {
      if (!(err instanceof NodeError)) throw err;
      this.record({ name: nodeName, type: 'Pod', template: tpl.name, phase: 'Error', message: err.message });
      return { phase: 'Error', outputs: {}, message: err.message };
    }
    const argv = [...(c.command ?? []), ...(c.args ?? [])];
    const binary = this.opts.binary ?? 'podman';
    const podmanArgs = [
      ...(this.opts.binaryArgs ?? PODMAN_ARGS),
      'run',
      '--rm',
      '--name',
      podName,
      ...(c.workingDir ? ['--workdir', c.workingDir] : []),
      ...mounts.flatMap((m) => ['--volume', `${m.host}:${m.target}${m.ro ? ':ro' : ''}`]),
      ...Object.keys(env).flatMap((k) => ['--env', k]),
      ...(this.opts.runArgs ?? PODMAN_RUN_ARGS),
      c.image,
      ...argv,
    ];
    await this.pods.acquire();
    let exit: { code: number | null; killed: boolean; output: string };
    try {
      this.podCount++;
      this.commands.push(argv);
      exit = this.opts.runner
        ? await this.opts.runner({ node: nodeName, template: tpl.name, argv, env, ...(deadline !== undefined && { deadline }), file: (p) => this.hostPath(mounts, p) }).then((code) => (code === 'deadline' ? { code: null, killed: true, output: '' } : { code, killed: false, output: '' }))
        : await new Promise((resolve) => {
            const child = spawn(binary, podmanArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
            let output = '';
            let killed = false;
            const onData = (d: Buffer) => {
              output = (output + d.toString('utf8')).slice(-20_000);
              this.opts.onOutput?.(nodeName, d.toString('utf8'));
            };
            child.stdout.on('data', onData);
            child.stderr.on('data', onData);
            const timer =
              deadline === undefined
                ? undefined
                : setTimeout(() => {
                    killed = true;
                    spawn(binary, [...(this.opts.binaryArgs ?? PODMAN_ARGS), 'rm', '--force', '--time', '0', podName], { stdio: 'ignore' });
                  }, deadline * 1000);
            child.on('error', (err) => {
              if (timer) clearTimeout(timer);
              resolve({ code: 127, killed, output: `${output}\n${err.message}` });
            });
            child.on('close', (code) => {
              if (timer) clearTimeout(timer);
              resolve({ code, killed, output });
            });
          });
    } finally {
      this.pods.release();
    }
    let phase: Phase;
    let message: string | undefined;
    if (exit.killed) {
      phase = 'Failed';
      message = 'Pod was active on the node longer than the specified deadline';
    } else if (exit.code === 0) phase = 'Succeeded';
    else if (exit.code === 125 || exit.code === 127) {
      phase = 'Error';
      message = `the container could not start (${binary} exit ${exit.code}): ${exit.output.trim().split('\n').slice(-3).join(' | ')}`;
    } else {
      phase = 'Failed';
      message = `Error (exit code ${exit.code})`;
    }
    const values: Record<string, string> = {};
    if (phase === 'Succeeded' || phase === 'Failed') {
      for (const o of outputs) {
        const host = this.hostPath(mounts, o.valueFrom.path)!;
        if (fs.existsSync(host)) values[o.name] = fs.readFileSync(host, 'utf8').replace(/\n$/, '');
        else if (o.valueFrom.default !== undefined) values[o.name] = String(o.valueFrom.default);
        else if (phase === 'Succeeded') {
          phase = 'Error';
          message = `output parameter '${o.name}': ${o.valueFrom.path} does not exist`;
        }
      }
    }
    fs.rmSync(podDir, { recursive: true, force: true });
    this.record({ name: nodeName, type: 'Pod', template: tpl.name, phase, ...(message && { message }), outputs: values, exitCode: exit.code ?? -1 });
    return { phase, outputs: values, ...(message && { message }) };
  }

  private hostPath(mounts: { host: string; target: string }[], p: string): string | undefined {
    let best: { host: string; target: string } | undefined;
    for (const m of mounts) {
      const t = m.target.replace(/\/+$/, '');
      if ((p === t || p.startsWith(`${t}/`)) && (!best || t.length > best.target.replace(/\/+$/, '').length)) best = m;
    }
    return best && path.join(best.host, p.slice(best.target.replace(/\/+$/, '').length));
  }

  private async dag(tpl: Manifest, scope: Record<string, string>, nodeName: string): Promise<Result> {
    const tasks: Manifest[] = tpl.dag.tasks ?? [];
    const byName = new Map(tasks.map((t) => [t.name as string, t]));
    const deps = new Map(tasks.map((t) => [t.name as string, [...dependsNames(t.depends), ...(t.dependencies ?? [])]]));
    const dependsExpr = (t: Manifest) => t.depends ?? (t.dependencies ?? []).join(' && ');
    const results = new Map<string, Result>();
    const started = new Set<string>();
    const failFast = tpl.dag.failFast ?? true;
    const parallel = tpl.parallelism ? new Semaphore(Number(tpl.parallelism)) : undefined;
    let failed = false;
    const ancestorsOf = (name: string, seen = new Set<string>()): Set<string> => {
      for (const d of deps.get(name) ?? []) if (!seen.has(d)) ancestorsOf(d, seen.add(d));
      return seen;
    };
    const taskScope = (name: string): Record<string, string> => {
      const s = { ...scope };
      for (const a of ancestorsOf(name)) {
        const r = results.get(a);
        if (!r) continue;
        s[`tasks.${a}.status`] = r.phase;
        for (const [k, v] of Object.entries(r.outputs)) s[`tasks.${a}.outputs.parameters.${k}`] = v;
      }
      return s;
    };
    const limited = async <T>(f: () => Promise<T>): Promise<T> => {
      if (!parallel) return f();
      await parallel.acquire();
      try {
        return await f();
      } finally {
        parallel.release();
      }
    };
    const runTask = async (task: Manifest): Promise<Result> => {
      const name = `${nodeName}.${task.name}`;
      const skip = (phase: 'Skipped' | 'Omitted' | 'Error', message: string): Result => {
        this.record({ name, type: 'Skipped', template: task.template, phase, message });
        return { phase, outputs: {}, message };
      };
      try {
        const expr = dependsExpr(task);
        if (expr && !evalDepends(expr, results)) return skip('Omitted', 'omitted: depends condition not met');
        const s = taskScope(task.name);
        const keepItem = (n: string) => n === 'item' || n.startsWith('item.');
        const resolved: Manifest = deepSubstitute({ when: task.when, withParam: task.withParam, arguments: task.arguments }, s, keepItem);
        const argsFor = (item?: unknown): Record<string, string> => {
          const itemScope: Record<string, string> = {};
          if (item !== undefined) {
            itemScope.item = typeof item === 'string' ? item : JSON.stringify(item);
            if (item && typeof item === 'object') for (const [k, v] of Object.entries(item)) itemScope[`item.${k}`] = typeof v === 'string' ? v : JSON.stringify(v);
          }
          return Object.fromEntries((resolved.arguments?.parameters ?? []).map((p: Manifest) => [p.name, substitute(String(p.value ?? ''), itemScope)]));
        };
        if (resolved.withParam === undefined) {
          if (resolved.when !== undefined && !evalWhen(resolved.when)) return skip('Skipped', `when '${resolved.when}' evaluated false`);
          return await limited(() => this.execute(task.template, argsFor(), name));
        }
        let items: unknown;
        try {
          items = JSON.parse(resolved.withParam);
        } catch {
          items = undefined;
        }
        if (!Array.isArray(items)) return skip('Error', `withParam value could not be parsed as a JSON list: ${resolved.withParam}`);
        if (!items.length) return skip('Skipped', 'Skipped, empty params');
        const children = await Promise.all(
          items.map(async (item, i) => {
            const label = typeof item === 'string' ? item : JSON.stringify(item);
            const childName = `${name}(${i}:${label})`;
            const when = resolved.when === undefined ? undefined : substitute(resolved.when, { item: label });
            if (when !== undefined && !evalWhen(when)) {
              this.record({ name: childName, type: 'Skipped', template: task.template, phase: 'Skipped', message: `when '${when}' evaluated false` });
              return 'Skipped' as Phase;
            }
            return (await limited(() => this.execute(task.template, argsFor(item), childName))).phase;
          }),
        );
        const phase: Phase = children.find(FAILED) ?? 'Succeeded';
        this.record({ name, type: 'TaskGroup', template: task.template, phase });
        return { phase, outputs: {}, children };
      } catch (err) {
        if (!(err instanceof NodeError)) throw err;
        return skip('Error', err.message);
      }
    };
    // the state machine: start every task whose dependencies are fulfilled, until none is left to start
    const running = new Map<string, Promise<void>>();
    for (;;) {
      for (const task of tasks) {
        if (started.has(task.name)) continue;
        if (!(deps.get(task.name) ?? []).every((d) => results.has(d) || !byName.has(d))) continue;
        if (failFast && failed) continue; // failFast: no new task after a failure
        started.add(task.name);
        running.set(
          task.name,
          runTask(task).then((r) => {
            results.set(task.name, r);
            if (FAILED(r.phase)) failed = true;
            running.delete(task.name);
          }),
        );
      }
      if (!running.size) break;
      await Promise.race(running.values());
    }
    // the DAG's phase from its leaf tasks; an Omitted/Skipped leaf (or one never started) inherits its branch's phase
    const dependents = new Set([...deps.values()].flat());
    const leaves = tasks.filter((t) => !dependents.has(t.name)).map((t) => t.name as string);
    const memo = new Map<string, Phase>();
    const branchPhase = (name: string): Phase => {
      const known = memo.get(name);
      if (known) return known;
      const r = results.get(name);
      let p: Phase;
      if (r && COMPLETED(r.phase)) p = r.phase;
      else {
        const inherited = (deps.get(name) ?? []).filter((d) => byName.has(d)).map(branchPhase);
        p = inherited.find(FAILED) ?? 'Succeeded';
      }
      memo.set(name, p);
      return p;
    };
    let phase: Phase = 'Succeeded';
    let message: string | undefined;
    for (const leaf of leaves) {
      const p = started.has(leaf) ? branchPhase(leaf) : ((deps.get(leaf) ?? []).map(branchPhase).find(FAILED) ?? (failed ? 'Failed' : 'Succeeded'));
      if (FAILED(p)) {
        phase = p;
        message = `child '${leaf}' ${p === 'Error' ? 'errored' : 'failed'}`;
        break;
      }
    }
    // DAG outputs (valueFrom.parameter), only when it succeeded
    const outputs: Record<string, string> = {};
    if (phase === 'Succeeded') {
      const s = { ...scope };
      for (const [t, r] of results) {
        s[`tasks.${t}.status`] = r.phase;
        for (const [k, v] of Object.entries(r.outputs)) s[`tasks.${t}.outputs.parameters.${k}`] = v;
      }
      try {
        for (const o of tpl.outputs?.parameters ?? []) {
          const from = o.valueFrom?.parameter;
          const expr: string | undefined = o.valueFrom?.expression;
          if (from === undefined && expr === undefined) throw new NodeError(`DAG output '${o.name}': only valueFrom.parameter and valueFrom.expression are emulated`);
          try {
            if (from !== undefined) outputs[o.name] = substitute(from, s);
            else {
              // an expression naming one variable (tasks.X.status, tasks['x-y'].outputs.parameters.p): the emulated subset
              const name = expr!.trim().replace(/\['([^']+)'\]/g, '.$1');
              if (!/^[A-Za-z_][\w.-]*$/.test(name)) throw new NodeError(`DAG output '${o.name}': expression '${expr}' is more than a variable, which the emulator does not evaluate`);
              if (!(name in s)) throw new NodeError(`DAG output '${o.name}': expression '${expr}': unknown variable`);
              outputs[o.name] = s[name]!;
            }
          } catch (err) {
            if (o.valueFrom.default === undefined) throw err;
            outputs[o.name] = String(o.valueFrom.default);
          }
        }
      } catch (err) {
        if (!(err instanceof NodeError)) throw err;
        phase = 'Error';
        message = err.message;
      }
    }
    this.record({ name: nodeName, type: 'DAG', template: tpl.name, phase, ...(message && { message }), outputs });
    return { phase, outputs, ...(message && { message }) };
  }
}

/** Whether podman runs here and the image exists; the reason when not. */
export function podmanProblem(image: string): string | undefined {
  const v = spawnSync('podman', ['--version'], { encoding: 'utf8' });
  if (v.error || v.status !== 0) return 'podman is not installed (apt-get install -y podman runc)';
  if (spawnSync('podman', [...PODMAN_ARGS, 'image', 'exists', image]).status !== 0) return `the image ${image} does not exist (scripts/node-image.sh builds it)`;
  return undefined;
}
