// async *run(): what the generator RETURNS is checked against the declared returns (what it yields is not).
import { Task, task, metric } from 'runnable-ts';

// @expect-error ✖ run() must return an object with key 'answer' (declared in returns)
@Task({ returns: ['answer'] })
export class StreamsWithoutAnswer {
  async *run() {
    yield 'chunk';
    return { text: 'x' };
  }
}

async function* scores() {
  yield 1;
  return { accuracy: 'high' };
}
// @expect-error ✖ metric('accuracy') must be a number
export const scored = task(scores, { name: 'scored', returns: [metric('accuracy')] });
