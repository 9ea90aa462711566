import 'reflect-metadata';
import type { Executor } from '../../src/executors/executor';
import { MemoryCatalog, MemoryRunLogStore, SilentReporter, pipeline, task, pickled } from '../../src/index';
import { EnvSecretsManager } from '../../src/stores/secrets/secrets';

/** The behaviour every Executor must have: it decides where a task runs, never what it means. */
export function executorContract(name: string, make: () => Executor): void {
  describe(`Executor contract: ${name}`, () => {
    const services = () => ({ runLogStore: new MemoryRunLogStore(), catalog: new MemoryCatalog(), secrets: new EnvSecretsManager({}), reporter: new SilentReporter(), env: {}, executor: make() });

    it('runs task steps in order with their inputs, recording one attempt each', async () => {
      const a = task(() => ({ x: 2, obj: new Map([[1, 'one']]) }), { name: 'a', returns: ['x', pickled('obj')] });
      const b = task(({ x, obj }: { x: number; obj: Map<number, string> }) => ({ y: `${x}${obj.get(1)}` }), { name: 'b', returns: ['y'] });
      const r = await pipeline('c').step(a).step(b).build().execute(services());
      expect(r.runLog.parameters.y!.value).toBe('2one');
      expect(r.runLog.steps.a!.attempts).toHaveLength(1);
      expect(r.runLog.run_config.pipeline_executor).toMatchObject({ service_name: name });
    });

    it('reports a failing task as FAIL and the run follows the failure path', async () => {
      const bad = task(() => {
        throw new Error('nope');
      }, { name: 'bad' });
      const err = await pipeline('c').step(bad).build().execute(services()).catch((e) => e);
      expect(err.runLog.steps.bad.status).toBe('FAIL');
      expect(err.runLog.status).toBe('FAIL');
    });
  });
}
