/**
 * Chapter 6 of the tutorial: using a model a teammate trained, without training it again.
 *
 *   node -r runnable-ts/register examples/tutorial/06-load-teammate-model.ts <run id>
 *
 * `loadArtifact(runId, name)` finds `name` in the run's log: a pickled return comes back live (TrainedModel is a
 * registered class, so an instance with its methods), a catalog file comes back as a Buffer. Both are checked
 * against the SHA-256 hash the run log recorded.
 */
import { loadArtifact } from 'runnable-ts';
import { deserializeForest } from './ml';
import { TrainedModel } from './04-connecting-workflow'; // importing it registers the model's classes

export async function loadTeammateModel(runId: string): Promise<void> {
  const model = await loadArtifact<TrainedModel>(runId, 'model_data');
  console.log(`model_data of run ${runId}: a TrainedModel? ${model instanceof TrainedModel}; ${model.nEstimators} trees, trained on ${model.trainedRows} rows`);

  const rows = [
    [1.2, 0.8, 0.4, 0.1],
    [-1.1, -0.7, -0.6, 0.2],
  ];
  console.log(`predictions for two new rows: ${JSON.stringify(model.predict(rows))}`);

  // The same forest from the plain JSON file, as someone without TrainedModel would read it.
  const file = await loadArtifact<Buffer>(runId, 'models/model.json');
  const forest = deserializeForest(file.toString('utf8'));
  console.log(`models/model.json: ${file.length} bytes, predictions ${JSON.stringify(forest.predict(rows))}`);
}

if (require.main === module) {
  const runId = process.argv[2];
  if (!runId) {
    console.error('usage: node -r runnable-ts/register examples/tutorial/06-load-teammate-model.ts <run id>');
    process.exitCode = 2;
  } else {
    loadTeammateModel(runId).catch((err: unknown) => {
      console.error(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      process.exitCode = 1;
    });
  }
}
