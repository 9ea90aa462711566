// Chapter 7: an Argo Workflow on Kubernetes. `runnable run` writes argo-pipeline.yaml instead of running anything;
// every step becomes a pod of the image (built from examples/argo/Dockerfile), the run log and the catalog live on
// the shared volume. See docs/argo.md.
import { defineConfig } from 'runnable-ts';

export default defineConfig({
  executor: {
    type: 'argo',
    config: {
      defaults: { image: 'registry.example.com/ml-tutorial:1.0', imagePullPolicy: 'IfNotPresent' },
      argoWorkflow: { metadata: { generateName: 'ml-tutorial-', namespace: 'ml' } },
      pvcForRunnable: 'runnable-data', // a ReadWriteMany claim: the run logs and the catalog live on it
    },
  },
  runLogStore: { type: 'chunked-fs', config: { log_folder: '.run_log_store' } },
  catalog: { type: 'file-system', config: { catalog_location: '.catalog' } },
});
