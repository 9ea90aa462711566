// Steps added in a loop: each .step() changes the builder's type, so `p = p.step(...)` cannot be typed. The
// documented way (docs/type-safety.md, "Known limits"): build the repeated part untyped, and state the pipeline's
// type once; the engine checks every step's inputs and returns at run time.
import { Pipeline, pipeline, task } from 'runnable-ts';

const load = task(() => ({ rows: 10 }), { name: 'load', returns: ['rows'] });
function trainer(dataset: string) {
  return task(({ rows }: { rows: number }) => ({ [`model_${dataset}`]: rows }), { name: `train_${dataset}`, returns: [`model_${dataset}`] });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the repeated steps are checked at run time
let builder: any = pipeline('many').step(load);
for (const d of ['iris', 'wine', 'digits']) builder = builder.step(trainer(d));
export const many: Pipeline<{}, { rows: number } & Record<`model_${string}`, number>> = builder.build();
