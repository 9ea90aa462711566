/**
 * Run any pipeline of this project on Argo Workflows: `runnable run <file.ts> -c examples/argo/runnable.config.ts`
 * writes argo-pipeline.yaml (nothing runs here) and prints the `argo submit` command. See docs/argo.md.
 */
import { defineConfig } from 'runnable-ts';

export default defineConfig({
  executor: {
    type: 'argo',
    config: {
      defaults: {
        image: 'registry.example.com/runnable-examples:0.1.0', // built from examples/argo/Dockerfile
        imagePullPolicy: 'IfNotPresent',
        resources: { limits: { memory: '1Gi', cpu: '500m' }, requests: { memory: '512Mi', cpu: '250m' } },
      },
      overrides: {
        big: { resources: { limits: { memory: '8Gi', cpu: '4' } }, activeDeadlineSeconds: 7200 },
      },
      argoWorkflow: {
        metadata: { generateName: 'runnable-', namespace: 'pipelines', labels: { team: 'ml' } },
        spec: { serviceAccountName: 'runnable', parallelism: 8, podGC: { strategy: 'OnPodSuccess' } },
      },
      pvcForRunnable: 'runnable-data', // a ReadWriteMany claim: the run logs and the catalog live on it
      secretFromK8s: 'runnable-secrets',
      workingDir: '/app',
    },
  },
  // every pod writes its own files: chunked-fs is safe with many writers at once
  runLogStore: { type: 'chunked-fs', config: { log_folder: '.run_log_store' } },
  catalog: { type: 'file-system', config: { catalog_location: '.catalog' } },
  secrets: { type: 'env' },
});
