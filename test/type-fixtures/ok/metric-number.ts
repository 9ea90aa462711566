// metric() returns must be numbers; number literals, number unions and async results all qualify.
import { Task, task, metric, pipeline } from 'runnable-ts';

@Task({ returns: [metric('accuracy'), metric('loss')] })
export class Score {
  run() {
    const loss: 0 | 1 = Math.random() > 0.5 ? 1 : 0;
    return { accuracy: 0.93, loss };
  }
}

const f1 = task(async ({ accuracy }: { accuracy: number }) => ({ f1: accuracy / 2 }), { name: 'f1', returns: [metric('f1')] });

export default pipeline().step(Score).step(f1).build();
