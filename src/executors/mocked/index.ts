import type { RunContext, Scope } from '../../engine/context';
import { executeTaskNode } from '../../engine/task-node';
import { isTaskNode, isTerminal, type Graph, type TaskNode } from '../../graph/graph';
import type { TaskDefinition } from '../../sdk/task';
import type { StepLog } from '../../stores/run-log/types';
import { MockError } from '../../errors';
import type { Executor } from '../executor';
import type { AnyInput } from '../../types/any';

/**
 * What replaces a step's code:
 *  - a function, called with the step's inputs instead of the step (its result is checked against the step's
 *    declared returns and stored like the step's own),
 *  - `{ outputs: { ... } }`, the values the step returns (usable from YAML/JSON configuration),
 *  - `{ fail: 'message' }`, a failed attempt with that message (to dry-run on-failure paths).
 * A patch stands in for the code only: it runs without the step's catalog files and secrets.
 */
export type StepPatch = ((input: AnyInput) => unknown) | { outputs: Record<string, unknown> } | { fail: string };

/** `executor: { type: 'mocked', config: { patches: { train: ... } } }` in runnable.config.ts. */
export interface MockedExecutorConfig {
  /** Steps, by name (at any depth: a name inside a branch matches in every iteration), that run their patch. */
  patches?: Record<string, StepPatch>;
}

export interface MockedExecutorOptions extends MockedExecutorConfig {
  /**
   * What a step without a patch does: `'fake'` (default, the mocked executor of a dry run) records a successful
   * attempt without running anything and returns nothing; `'run'` runs the step's own code.
   */
  unpatched?: 'fake' | 'run';
  /** Where the patches were given, for error messages. */
  source?: string;
}

/** The failure of a `{ fail: '...' }` patch. */
export class PatchedFailure extends Error {
  override readonly name = 'PatchedFailure';
}

function fakeSuccess(): undefined {
  return undefined;
}

function kindOf(patch: StepPatch): 'function' | 'outputs' | 'fail' {
  return typeof patch === 'function' ? 'function' : 'outputs' in patch ? 'outputs' : 'fail';
}

function checkPatch(step: string, patch: unknown, where: string): StepPatch {
  if (typeof patch === 'function') return patch as StepPatch;
  const isPlain = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isPlain(patch)) {
    const keys = Object.keys(patch as object);
    const p = patch as Record<string, unknown>;
    if (keys.length === 1 && keys[0] === 'outputs' && isPlain(p.outputs)) return p as { outputs: Record<string, unknown> };
    if (keys.length === 1 && keys[0] === 'fail' && typeof p.fail === 'string') return p as { fail: string };
  }
  throw new MockError(
    `${where}.${step} must be a function (called instead of the step), { outputs: { ... } } (the values the step returns) ` +
      `or { fail: 'message' } (a failed attempt); got ${JSON.stringify(patch) ?? String(patch)}.`,
  );
}

/** Names of the task steps of a graph, its branches and on-failure pipelines. */
export function taskStepNames(graph: Graph, out = new Set<string>()): Set<string> {
  for (const node of graph.nodes.values()) {
    if (isTerminal(node)) continue;
    if (isTaskNode(node)) out.add(node.name);
    else if (node.type === 'parallel' || node.type === 'conditional') node.branches.forEach((g) => taskStepNames(g, out));
    else taskStepNames(node.branch, out);
    if (node.onFailure) taskStepNames(node.onFailure, out);
  }
  return out;
}

/**
 * The `mocked` executor (the Python original's): every task step is a fake success (nothing runs, nothing is
 * returned, the step log says `mock: true`) unless it is patched. With `unpatched: 'run'` it is the executor of
 * `runPipeline(..., { mock })`: only the patched steps are replaced. Runs in this process.
 */
export class MockedExecutor implements Executor {
  readonly type = 'mocked';
  private readonly patches: ReadonlyMap<string, StepPatch>;
  private readonly unpatched: 'fake' | 'run';
  private readonly source: string;
  private readonly substitutes = new WeakMap<TaskNode, TaskNode>();
  private readonly announced = new Set<string>();

  constructor(options: MockedExecutorOptions = {}) {
    this.source = options.source ?? 'executor.config.patches';
    this.unpatched = options.unpatched ?? 'fake';
    if (this.unpatched !== 'fake' && this.unpatched !== 'run') throw new MockError(`unpatched must be 'fake' or 'run', got ${JSON.stringify(this.unpatched)}.`);
    const given = options.patches ?? {};
    if (!given || typeof given !== 'object' || Array.isArray(given)) throw new MockError(`${this.source} must be an object keyed by step name.`);
    this.patches = new Map(Object.entries(given).map(([step, p]) => [step, checkPatch(step, p, this.source)]));
  }

  validate(graph: Graph): void {
    const names = taskStepNames(graph);
    const unknown = [...this.patches.keys()].filter((n) => !names.has(n));
    if (unknown.length) {
      throw new MockError(
        `${this.source} names ${unknown.map((n) => `'${n}'`).join(', ')}, which ${unknown.length > 1 ? 'are not steps' : 'is not a step'} of pipeline '${graph.name}'. ` +
          `Its task steps: ${[...names].join(', ') || '(none)'}.`,
      );
    }
  }

  /** The node that runs instead of `node`, or undefined when the step runs as it is. */
  private substitute(node: TaskNode): TaskNode | undefined {
    const cached = this.substitutes.get(node);
    if (cached) return cached;
    const patch = this.patches.get(node.name);
    if (!patch && this.unpatched === 'run') return undefined;
    const def = node.task;
    let task: TaskDefinition;
    let options: TaskNode['options'] = {};
    if (!patch) {
      task = { kind: 'stub', name: def.name, returns: [], options: {}, target: fakeSuccess };
    } else {
      const kind = kindOf(patch);
      const target =
        kind === 'function'
          ? (patch as (input: unknown) => unknown)
          : kind === 'outputs'
            ? () => (patch as { outputs: Record<string, unknown> }).outputs
            : () => {
                throw new PatchedFailure((patch as { fail: string }).fail);
              };
      task = { kind: 'function', name: def.name, returns: def.returns, options: {}, target };
      // a patched step may still be retried (a mock that fails once tests the retry)
      if (node.options.retry) options = { retry: node.options.retry };
    }
    const sub: TaskNode = { ...node, task, options };
    this.substitutes.set(node, sub);
    return sub;
  }

  executeTask(ctx: RunContext, node: TaskNode, scope: Scope): Promise<StepLog> {
    if (this.unpatched === 'fake' && !this.announced.has(ctx.runId)) {
      this.announced.add(ctx.runId);
      const patched = [...this.patches.keys()];
      ctx.reporter.warn(
        `Dry run (mocked executor): task steps do not run; each records a success that returned nothing` +
          (patched.length ? `, except the patched ${patched.map((n) => `'${n}'`).join(', ')}.` : '.'),
      );
    }
    const sub = this.substitute(node);
    return sub ? executeTaskNode(ctx, sub, scope, { mock: true }) : executeTaskNode(ctx, node, scope);
  }

  config(): Record<string, unknown> {
    return {
      service_name: 'mocked',
      service_type: 'pipeline_executor',
      unpatched: this.unpatched,
      patches: Object.fromEntries([...this.patches].map(([k, p]) => [k, kindOf(p)])),
    };
  }
}
