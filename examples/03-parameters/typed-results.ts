/**
 * What a run produced, typed by the pipeline: execute() resolves with `values` (the steps' returns, typed), and
 * `pipeline.load(runId, name)` reads a value of an earlier run. A renamed return breaks this file at compile time.
 *
 *   node bin/run-ts.js examples/03-parameters/typed-results.ts
 */
import 'reflect-metadata';
import * as path from 'node:path';
import { MemoryCatalog, MemoryRunLogStore } from 'runnable-ts';
import experiment from './schema-parameters';

export async function main(): Promise<void> {
  const stores = { runLogStore: new MemoryRunLogStore(), catalog: new MemoryCatalog() };
  const result = await experiment.execute({ ...stores, params: { n_estimators: 20 }, quiet: true });
  const accuracy: number = result.values.accuracy; // typed: train returns metric('accuracy')
  console.log(`run ${result.runId}: accuracy ${accuracy.toFixed(3)} on ${result.values.train_rows} training rows`);
  const again: number = await experiment.load(result.runId, 'accuracy', stores);
  console.log(`read back: ${again.toFixed(3)}; parameters recorded: ${JSON.stringify(result.runLog.run_config.parameter_sources)}`);
}

// runs when executed, not when imported (tools that load every example import it)
if (process.argv[1] && path.resolve(process.argv[1]) === __filename) void main();
