/**
 * The trivial steps of the runtime benchmark, and pipelines of N of them built programmatically.
 * Step i reads `v` (the previous step's value; undefined for step 0) and returns `v = { i, prev, payload }`.
 * The pipeline's static types are irrelevant here, so the builder is used through `any`.
 */
import { Task, pipeline, task, type Pipeline } from '../src/index';

export interface V {
  i: number;
  prev: number;
  payload: string;
}
export type StepFn = (input: { v?: V }) => { v: V };

const PAYLOAD = 'x'.repeat(50);

/** The N plain step functions, shared by the engine pipelines and the floor loop. */
export function stepFunctions(n: number): StepFn[] {
  const fns: StepFn[] = [];
  for (let i = 0; i < n; i++) {
    fns.push(({ v }) => ({ v: { i, prev: v ? v.i : -1, payload: PAYLOAD } }));
  }
  return fns;
}

export type StepStyle = 'fn' | 'class';

/** A pipeline of the given step functions, as `task()` steps ('fn') or as `@Task` classes ('class'). */
export function buildPipeline(fns: readonly StepFn[], style: StepStyle): Pipeline<any, any> {
  let b: any = pipeline(`bench-${style}-${fns.length}`);
  fns.forEach((fn, i) => {
    if (style === 'fn') {
      b = b.step(task(fn as any, { name: `s${i}`, returns: ['v'] } as any));
    } else {
      const cls = class {
        run(input: { v?: V }) {
          return fn(input);
        }
      };
      Object.defineProperty(cls, 'name', { value: `S${i}` });
      (Task({ name: `s${i}`, returns: ['v'] }) as (c: unknown) => void)(cls);
      b = b.step(cls);
    }
  });
  return b.build();
}
