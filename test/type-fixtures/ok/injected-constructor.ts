// A task whose constructor asks for a service class (resolved by tsyringe at run time) type-checks normally.
import { Task, pipeline, pickled, StepContext } from 'runnable-ts';

export class Clock {
  now(): number {
    return Date.now();
  }
}

export class Greeter {
  constructor(private readonly clock: Clock) {}
  greet(name: string): string {
    return `hello ${name} at ${this.clock.now()}`;
  }
}

@Task({ returns: ['greeting', pickled('when')] })
export class Greet {
  constructor(
    private readonly greeter: Greeter,
    private readonly ctx: StepContext,
  ) {}

  run({ who }: { who: string }) {
    this.ctx.logger.info(`greeting ${who}`);
    return { greeting: this.greeter.greet(who), when: new Date() };
  }
}

export default pipeline().params<{ who: string }>().step(Greet).build();
