// A required input can come from a (required) pipeline parameter instead of an earlier step.
import { Task, task, pipeline } from 'runnable-ts';

@Task({ returns: ['doubled'] })
export class Double {
  run({ n }: { n: number }) {
    return { doubled: n * 2 };
  }
}

const label = task(({ doubled, name }: { doubled: number; name: string }) => ({ label: `${name}=${doubled}` }), {
  name: 'label',
  returns: ['label'],
});

export default pipeline('params').params<{ n: number; name: string }>({ n: 1 }).step(Double).step(label).build();
