/**
 * The promise of `runnable retry`: a failed run, retried once the cause is gone, ends with the values an
 * uninterrupted run gives, having executed again only what had not succeeded. Attacked with random pipelines
 * (fast-check): sequences of tasks, maps (whose branch pipeline may have defaults), parallels, conditionals and
 * loops nested two deep, where one random task fails during the first run. The retry must give the parameters of a
 * fresh run exactly, and no task that succeeded in the first run may execute again. The same pipelines are then run
 * the way an Argo Workflow runs them (every task and every fan-out/fan-in a separate operation that reads the run log
 * back, the run resubmitted with its retry_run_id): the values must be the same as in process.
 * (This found a real defect: a retried map merged its branch pipeline's defaults into the parent, as lists.)
 */
import fc from 'fast-check';
import * as path from 'node:path';
import { ChunkedFsRunLogStore, ExecutionFailedError, MemoryCatalog, SilentReporter, pipeline, task, type Pipeline } from '../../src/index';
import { inMemory } from '../helpers/memory-run';
import { PodDriver } from '../helpers/step-driver';
import { tmpDir } from '../helpers/cli';

type Node =
  | { kind: 'task' }
  | { kind: 'map'; branch: Node[]; withDefault: boolean }
  | { kind: 'parallel'; a: Node[]; b: Node[] }
  | { kind: 'conditional'; a: Node[]; b: Node[]; take: 'a' | 'b' }
  | { kind: 'loop'; body: Node[]; iterations: number };

const nodes = fc.letrec<{ node: Node; seq: Node[] }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 2, depthIdentifier: 'nest' },
    { arbitrary: fc.constant({ kind: 'task' as const }), weight: 3 },
    fc.record({ kind: fc.constant('map' as const), branch: tie('seq'), withDefault: fc.boolean() }),
    fc.record({ kind: fc.constant('parallel' as const), a: tie('seq'), b: tie('seq') }),
    fc.record({ kind: fc.constant('conditional' as const), a: tie('seq'), b: tie('seq'), take: fc.constantFrom('a' as const, 'b' as const) }),
    fc.record({ kind: fc.constant('loop' as const), body: tie('seq'), iterations: fc.integer({ min: 1, max: 3 }) }),
  ),
  seq: fc.array(tie('node'), { minLength: 1, maxLength: 3, depthIdentifier: 'nest' }),
}));

/** What the tasks do: deterministic in what they read; one of them may be set to fail. */
interface World {
  failing: string | undefined;
  /** The task names executed, in order (per branch: `name@item` is not needed, the engine counts attempts). */
  executed: string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- random pipelines are built untyped: the engine is under test here, not the types
type AnyBuilder = any;
/** task() without its compile-time checks: the names the random tasks return are computed. */
const anyTask = task as unknown as (fn: (input: { x?: unknown; item?: number; d?: number; i?: number }) => object, options: { name: string; returns: string[] }) => AnyBuilder;

/** Builds the pipeline a spec describes; every task reads `x` (and what a branch gives) and writes `x` and its own name. */
function build(seq: Node[], world: World): { pipeline: Pipeline<any, any>; tasks: string[] } {
  let n = 0;
  const tasks: string[] = [];
  const newTask = () => {
    const name = `t${n++}`;
    tasks.push(name);
    return anyTask(
      ({ x, item, d, i }) => {
        world.executed.push(name);
        if (world.failing === name) throw new Error(`${name} fails this time`);
        const seen = JSON.stringify([x ?? null, item ?? null, d ?? null, i ?? null]);
        return { x: `${name}(${seen.length > 60 ? seen.slice(0, 30) + '…' + seen.length : seen})`, [`o_${name}`]: seen.length };
      },
      { name, returns: ['x', `o_${name}`] },
    );
  };
  const fill = (b: AnyBuilder, s: Node[]): AnyBuilder => {
    for (const node of s) {
      const k = n++;
      switch (node.kind) {
        case 'task':
          n--;
          b = b.step(newTask());
          break;
        case 'map': {
          let br: AnyBuilder = pipeline(`map${k}`);
          if (node.withDefault) br = br.params({ d: 5 });
          b = b.step(anyTask(() => ({ [`items${k}`]: [1, 2, 3] }), { name: `gen${k}`, returns: [`items${k}`] }));
          b = b.map(`m${k}`, { over: `items${k}`, as: 'item', branch: fill(br, node.branch).build() });
          break;
        }
        case 'parallel':
          b = b.parallel(`p${k}`, { a: fill(pipeline(`pa${k}`), node.a).build(), b: fill(pipeline(`pb${k}`), node.b).build() });
          break;
        case 'conditional':
          b = b.step(anyTask(() => ({ [`c${k}`]: node.take }), { name: `pick${k}`, returns: [`c${k}`] }));
          b = b.conditional(`c${k}_on`, { on: `c${k}`, branches: { a: fill(pipeline(`ca${k}`), node.a).build(), b: fill(pipeline(`cb${k}`), node.b).build() } });
          break;
        case 'loop': {
          const last = node.iterations - 1;
          const body = fill(pipeline(`l${k}`), node.body).step(anyTask(({ i }) => ({ [`stop${k}`]: i! >= last }), { name: `stop${k}`, returns: [`stop${k}`] }));
          b = b.loop(`l${k}_loop`, { branch: body.build(), breakOn: `stop${k}`, maxIterations: 5, indexAs: 'i' });
          break;
        }
      }
    }
    return b;
  };
  return { pipeline: fill(pipeline('random') as AnyBuilder, seq).build(), tasks };
}

const values = (log: { parameters: Record<string, { value?: unknown }> }) => Object.fromEntries(Object.entries(log.parameters).map(([k, p]) => [k, p.value]));

describe('a retry ends as an uninterrupted run would', () => {
  it('random pipelines with maps, parallels, conditionals and loops, one task failing in the first run', async () => {
    await fc.assert(
      fc.asyncProperty(nodes.seq, fc.nat(), async (seq, pick) => {
        const world: World = { failing: undefined, executed: [] };
        const { pipeline: p, tasks } = build(seq, world);
        const fresh = await p.execute(inMemory({ runId: 'fresh' }));
        const ranFresh = [...world.executed];

        // the first run: one task (that the run reaches) fails
        const reached = [...new Set(ranFresh)];
        world.failing = reached[pick % reached.length];
        world.executed = [];
        const opts = inMemory({ runId: 'first' });
        const err = await p.execute(opts).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ExecutionFailedError);
        const firstLog = await opts.runLogStore.get('first');

        world.failing = undefined;
        world.executed = [];
        const retried = await p.execute({ ...opts, runId: undefined, retryRunId: 'first' });
        expect(retried.status).toBe('SUCCESS');
        expect(values(retried.runLog)).toEqual(values(fresh.runLog));

        // nothing that succeeded in the first run executed again: a top-level task that succeeded is skipped
        for (const name of tasks) {
          if (firstLog.steps[name]?.status === 'SUCCESS') expect(world.executed).not.toContain(name);
        }
      }),
      { numRuns: process.env.RUNNABLE_FAULTS_HEAVY ? 2000 : 150, ...(process.env.RUNNABLE_FAULTS_SEED && { seed: Number(process.env.RUNNABLE_FAULTS_SEED) }) },
    );
  });
});

describe('the same random pipelines, one operation at a time as Argo pods run them', () => {
  it('give the values of an in-process run, and a resubmission with retry_run_id gives those of a fresh run', async () => {
    await fc.assert(
      fc.asyncProperty(nodes.seq, fc.nat(), async (seq, pick) => {
        const world: World = { failing: undefined, executed: [] };
        const { pipeline: p } = build(seq, world);
        const reference = await p.execute(inMemory({ runId: 'reference' }));
        const reached = [...new Set(world.executed)];

        const folder = path.join(tmpDir('rt-pods-'), '.run_log_store');
        const options = (retry: boolean) => ({
          runLogStore: new ChunkedFsRunLogStore({ log_folder: folder }),
          catalog: new MemoryCatalog(),
          reporter: new SilentReporter(),
          env: retry ? { RUNNABLE_RETRY_RUN_ID: 'pods' } : {},
        });
        const catalog = new MemoryCatalog();
        world.failing = reached[pick % reached.length];
        const first = { ...options(false), catalog };
        expect(await new PodDriver(p, 'pods', first, false).run()).toBe(false);
        world.failing = undefined;
        const again = { ...options(true), catalog };
        expect(await new PodDriver(p, 'pods', again, true).run()).toBe(true);
        const log = await new ChunkedFsRunLogStore({ log_folder: folder }).get('pods');
        expect(log.status).toBe('SUCCESS');
        expect(values(log)).toEqual(values(reference.runLog));
      }),
      { numRuns: process.env.RUNNABLE_FAULTS_HEAVY ? 500 : 15, ...(process.env.RUNNABLE_FAULTS_SEED && { seed: Number(process.env.RUNNABLE_FAULTS_SEED) }) },
    );
  });
});
