import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildGraph, isTaskNode, isTerminal, type Graph } from '../../src/graph/graph';
import type { Pipeline } from '../../src/sdk/pipeline';
import type { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import { findStep } from '../../src/stores/run-log/document';
import { fan } from '../../src/engine/fan';
import { executeSingleNode, type ExecuteOptions } from '../../src/engine/run';
import { runnable, type CliResult } from './cli';

/**
 * Drives a run from outside, one operation at a time, the way an Argo Workflow does: `fan . out` creates the run,
 * each task is one `execute-single-node --one-attempt` per attempt (the driver owns retries, like Argo's
 * retryStrategy), each composite is `fan out`, its branches, `fan in`, and terminal nodes are `fan <path> out`.
 * A test harness: it walks the pipeline's graph, not a manifest. Subclasses say how an operation is made.
 */
export abstract class GraphDriver {
  constructor(
    protected readonly pipeline: Pipeline<any, any>,
    /** Run the branches of a parallel and the items of a map at the same time, as Argo's pods do. */
    private readonly concurrent = false,
  ) {}

  /** `fan <step> <direction>` (with `--iteration` for a loop): whether it succeeded, and what it printed to --output. */
  protected abstract fan(step: string, direction: 'in' | 'out', extra?: string[]): Promise<{ ok: boolean; output: string }>;
  /** One attempt of a task step (`execute-single-node --one-attempt --cache-lookup`): whether it succeeded. */
  protected abstract attempt(internal: string): Promise<boolean>;

  /** Runs the whole pipeline; resolves with whether the run succeeded. */
  async run(): Promise<boolean> {
    const created = await this.fan('.', 'out');
    if (!created.ok) throw new Error('could not create the run');
    return this.graph(buildGraph(this.pipeline), '');
  }

  private async graph(g: Graph, prefix: string): Promise<boolean> {
    let current = g.startAt;
    for (;;) {
      const node = g.nodes.get(current)!;
      const internal = `${prefix}${node.name}`;
      if (isTerminal(node)) return (await this.fan(internal, 'out')).ok;
      let ok: boolean;
      if (isTaskNode(node)) {
        const attempts = node.options.retry?.maxAttempts ?? 1;
        ok = false;
        for (let i = 0; i < attempts && !ok; i++) ok = await this.attempt(internal);
      } else if (node.type === 'loop') {
        ok = true;
        for (let i = 0; ; i++) {
          if (!(await this.fan(internal, 'out', ['--iteration', String(i)])).ok) {
            ok = false;
            break;
          }
          await this.graph(node.branch, `${internal}.${i}.`);
          const closed = await this.fan(internal, 'in', ['--iteration', String(i)]);
          if (!closed.ok) ok = false;
          if (!closed.ok || closed.output !== 'true') break;
        }
      } else {
        const opened = await this.fan(internal, 'out');
        if (!opened.ok) ok = false;
        else {
          const branches: [Graph, string][] =
            node.type === 'map'
              ? (JSON.parse(opened.output) as string[]).map((key) => [node.branch, `${internal}.${key}.`])
              : node.type === 'parallel'
                ? [...node.branches].map(([key, b]) => [b, `${internal}.${key}.`])
                : [];
          if (this.concurrent) await Promise.all(branches.map(([b, p]) => this.graph(b, p)));
          else for (const [b, p] of branches) await this.graph(b, p);
          if (node.type === 'conditional' && opened.output) {
            await this.graph(node.branches.get(opened.output)!, `${internal}.${opened.output}.`);
          }
          ok = (await this.fan(internal, 'in')).ok;
        }
      }
      if (ok) current = node.next;
      else if (node.onFailure) return this.graph(node.onFailure, prefix);
      else current = 'fail';
    }
  }
}

/** Each operation is a `runnable` CLI call, as in an Argo pod. */
export class StepDriver extends GraphDriver {
  readonly commands: string[][] = [];
  constructor(
    pipeline: Pipeline<any, any>,
    private readonly file: string,
    private readonly exportName: string,
    private readonly runId: string,
    private readonly cwd: string,
    private readonly env: Record<string, string> = {},
    concurrent = false,
  ) {
    super(pipeline, concurrent);
  }

  private async cli(args: string[]): Promise<CliResult> {
    this.commands.push(args);
    const r = await runnable([...args, '--export', this.exportName], { cwd: this.cwd, env: this.env });
    if (r.code !== 0 && r.code !== 1) throw new Error(`runnable ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  private outputs = 0;

  protected async fan(step: string, direction: 'in' | 'out', extra: string[] = []): Promise<{ ok: boolean; output: string }> {
    const out = path.join(this.cwd, `.fan-output-${this.outputs++}`);
    const r = await this.cli(['fan', this.runId, step, this.file, direction, '--output', out, ...extra]);
    const output = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
    fs.rmSync(out, { force: true });
    return { ok: r.code === 0, output };
  }

  protected async attempt(internal: string): Promise<boolean> {
    return (await this.cli(['execute-single-node', this.runId, this.file, internal, '--one-attempt', '--cache-lookup'])).code === 0;
  }
}

/**
 * The operations an Argo Workflow's pods make (`fan`, `execute-single-node --one-attempt`), made in this process on
 * a chunked-fs run log that each operation reads back, so what crosses a pod boundary is only what the store holds.
 */
export class PodDriver extends GraphDriver {
  constructor(
    pipeline: Pipeline<any, any>,
    private readonly runId: string,
    private readonly options: ExecuteOptions & { runLogStore: ChunkedFsRunLogStore },
    private readonly resubmitted: boolean,
  ) {
    super(pipeline);
  }

  protected async fan(step: string, direction: 'in' | 'out', extra: string[] = []): Promise<{ ok: boolean; output: string }> {
    const iteration = extra[0] === '--iteration' ? Number(extra[1]) : undefined;
    const r = await fan(this.pipeline, this.runId, step, direction, { ...this.options, ...(iteration !== undefined && { iteration }) });
    return { ok: r.status !== 'FAIL', output: r.output };
  }

  protected async attempt(internal: string): Promise<boolean> {
    // as `runnable execute-single-node` in a resubmitted Workflow: a step that succeeded keeps its outputs
    if (this.resubmitted && findStep(await this.options.runLogStore.get(this.runId), internal)?.attempts.at(-1)?.status === 'SUCCESS') return true;
    return (await executeSingleNode(this.pipeline, this.runId, internal, { ...this.options, oneAttempt: true, cacheLookup: true })).status === 'SUCCESS';
  }
}
