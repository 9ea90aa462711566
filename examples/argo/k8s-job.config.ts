/**
 * The whole run in one Kubernetes Job: `runnable run <file.ts> -c examples/argo/k8s-job.config.ts` writes
 * k8s-job.yaml (a batch/v1 Job named after the run id) and prints the `kubectl apply` command. Inside the Job's
 * pod the same file runs every step in that pod. See docs/argo.md#a-kubernetes-job.
 */
import { defineConfig } from 'runnable-ts';

export default defineConfig({
  executor: {
    type: 'k8s-job',
    config: {
      namespace: 'pipelines',
      pvcClaimName: 'runnable-data',
      jobSpec: {
        activeDeadlineSeconds: 7200,
        template: {
          spec: {
            serviceAccountName: 'runnable',
            container: {
              image: 'registry.example.com/runnable-examples:0.1.0', // built from examples/argo/Dockerfile
              resources: { limits: { memory: '2Gi', cpu: '1' } },
            },
          },
        },
      },
    },
  },
});
