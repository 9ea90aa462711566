// Issue 10, part 3: what .step() reads is read exactly; shapes the proof cannot follow are refused.
import { Task, pipeline, task, stub } from 'runnable-ts';

const gen = task(() => ({ x: 1, label: 'a' }), { name: 'gen', returns: ['x', 'label'] });
const fast = task(({ x }: { x: number }) => ({ y: x }), { name: 'fast', returns: ['y'] });
const slow = task(({ q }: { q: string }) => ({ y: q }), { name: 'slow', returns: ['y'] });
declare const quick: boolean;
const Impl = quick ? fast : slow;

export const unionStep = pipeline('a')
  .step(gen)
  // @expect-error ✖ the step's type is a union of several tasks (e.g. cond ? A : B)
  .step(Impl)
  .build();

export const indexSignature = pipeline('b')
  .step(gen)
  // @expect-error ✖ run()'s input has an index signature (Record<string, …> or any)
  .step(task((input: Record<string, number>) => ({ n: Object.keys(input).length }), { name: 'rec', returns: ['n'] }))
  .build();

export const anyInput = pipeline('c')
  .step(gen)
  // @expect-error ✖ run()'s input has an index signature (Record<string, …> or any)
  .step(task((input: any) => ({ n: input.x }), { name: 'any_in', returns: ['n'] }))
  .build();

const sub = pipeline('sub').step(stub('inner')).build();
export const builtPipeline = pipeline('d')
  .step(gen)
  // @expect-error ✖ a built pipeline is not a task: nest it as a branch
  .step(sub)
  .build();

// (tsc reports this one at the start of the receiver expression)
const terminated = pipeline('e').step(gen, { terminate: 'success' });
// @expect-error ✖ nothing may follow a step with terminate
export const afterTerminate = terminated.step(fast);

// a destructuring default is invisible to the types: the message says to mark the input optional
@Task({ returns: ['split'] })
export class Split {
  run({ t = 0.2 }: { t: number }) {
    return { split: t };
  }
}
export const destructuringDefault = pipeline('f')
  .step(gen)
  // @expect-error declare it optional: 't?: …'
  .step(Split)
  .build();

// one-line message with both types spelled out
export const oneLine = pipeline('g')
  .step(gen)
  // @expect-error ✖ input 'label' has an incompatible type: expected number, got string
  .step(task(({ label }: { label: number }) => ({ z: label }), { name: 'num_label', returns: ['z'] }))
  .build();

// duplicate literal step names: task() names, stub() names, { name } options (class names are not literal types:
// a class used twice without { name } is refused when the file is loaded)
const stubbed = stub('s');
export const duplicateTaskName = pipeline('h')
  .step(gen)
  // @expect-error ✖ step name 'gen' is already used in this pipeline: name this use with .step(X, { name: 'gen_2' })
  .step(gen)
  .build();
export const duplicateOptionName = pipeline('i')
  .step(gen)
  .step(stubbed, { name: 'twice' })
  // @expect-error ✖ step name 'twice' is already used in this pipeline
  .step(stubbed, { name: 'twice' })
  .build();
