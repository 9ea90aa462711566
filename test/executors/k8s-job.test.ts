/**
 * The k8s-job executor: the whole run in one Kubernetes Job. The manifests are validated with the Job and CronJob
 * models of kubernetes-models (their precompiled ajv validators, run in a child process: the package is ESM only),
 * and the same configuration runs the pipeline for real inside the pod (RUNNABLE_IN_K8S_JOB set).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { FIXTURES, ROOT, readRunLog, runnable, tmpDir } from '../helpers/cli';
import { buildK8sJob, parseK8sJobConfig } from '../../src/executors/k8s-job';

const CONFIG = path.join(ROOT, 'examples/argo/k8s-job.config.ts');
const dir = tmpDir('rt-k8s-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Errors of kubernetes-models' validator for a Job or CronJob ([] when valid). */
function modelErrors(doc: unknown): string[] {
  const script = `import { Job, CronJob } from 'kubernetes-models/batch/v1';
let s = ''; for await (const c of process.stdin) s += c; const d = JSON.parse(s);
try { (d.kind === 'CronJob' ? new CronJob(d) : new Job(d)).validate(); console.log('[]'); }
catch (e) { console.log(JSON.stringify(e.errors ? e.errors.map((x) => x.instancePath + ' ' + x.message) : [String(e.message)])); }`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, input: JSON.stringify(doc), encoding: 'utf8' })) as string[];
}

const base = { pvcClaimName: 'data', jobSpec: { template: { spec: { container: { image: 'img:1' } } } } };

describe('k8s-job', () => {
  it('writes a valid batch/v1 Job that runs the pipeline with its run id, the run log and catalog on the claim', async () => {
    const out = path.join(dir, 'job.yaml');
    const r = await runnable(['export', 'k8s-job', 'examples/tutorial/04-connecting-workflow.ts', '-c', CONFIG, '--run-id', 'tut-001', '-o', out], { cwd: ROOT });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`kubectl apply -f ${out}`);
    const job = YAML.parse(fs.readFileSync(out, 'utf8'));
    expect(modelErrors(job)).toEqual([]);
    expect(job.kind).toBe('Job');
    expect(job.metadata).toEqual({ name: 'tut-001', namespace: 'pipelines', annotations: { 'runnable-ts/run-id': 'tut-001' } });
    const c = job.spec.template.spec.containers[0];
    expect(c.command).toEqual(['npx', 'runnable', 'run', 'examples/tutorial/04-connecting-workflow.ts', '--config', 'examples/argo/k8s-job.config.ts', '--run-id', 'tut-001']);
    expect(c.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toEqual(['/app/.run_log_store', '/app/.catalog']);
    expect(c.resources.limits).toEqual({ memory: '2Gi', cpu: '1' });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  it('a schedule makes a valid CronJob; a bad schedule, a missing claim or image are refused with the fix', () => {
    const cron = buildK8sJob({ job: parseK8sJobConfig({ ...base, schedule: '*/15 3 * * 1-5' }), config: {}, name: 'Nightly Train', runArgs: ['p.ts'] });
    expect(cron.kind).toBe('CronJob');
    expect(cron.metadata.name).toBe('nightly-train');
    expect(modelErrors(cron)).toEqual([]);
    expect(() => parseK8sJobConfig({ ...base, schedule: 'every day' })).toThrow(/not a 5-field cron expression/);
    expect(() => parseK8sJobConfig({ jobSpec: base.jobSpec })).toThrow(/pvcClaimName is required/);
    expect(() => parseK8sJobConfig({ pvcClaimName: 'x', jobSpec: {} })).toThrow(/container.image is required/);
    // the validator is not a rubber stamp
    const broken = structuredClone(cron);
    delete broken.spec.jobTemplate.spec.template.spec.containers[0].name;
    expect(modelErrors(broken).join()).toMatch(/containers\/0 must have required property name/);
  });

  it('outside the pod `runnable run` writes the Job; inside it the same configuration runs the pipeline', async () => {
    const file = path.join(FIXTURES, 'fan-constructs.ts');
    const outside = await runnable(['run', file, '--export', 'recovers', '-c', CONFIG, '--run-id', 'k8s-1'], { cwd: dir });
    expect(outside.code).toBe(0);
    expect(outside.stdout).toContain("Wrote the Kubernetes Job of 'recovers' to k8s-job.yaml");
    expect(fs.existsSync(path.join(dir, '.run_log_store'))).toBe(false);
    const inside = await runnable(['run', file, '--export', 'recovers', '-c', CONFIG, '--run-id', 'k8s-1', '--quiet'], { cwd: dir, env: { RUNNABLE_IN_K8S_JOB: '1' } });
    expect(inside.code).toBe(0);
    const log = readRunLog(dir, 'k8s-1');
    expect(log.status).toBe('SUCCESS');
    expect(log.run_config.pipeline_executor).toEqual({ service_name: 'k8s-job', service_type: 'pipeline_executor', image: 'registry.example.com/runnable-examples:0.1.0' });
  }, 60_000);

  describe('job files (job(X))', () => {
    const JOB = path.join(ROOT, 'examples/11-jobs/train-job.ts');

    it("`runnable job` with the k8s-job executor writes a valid Job whose pod runs `runnable job` with the run id and parameters", async () => {
      const cwd = path.join(dir, 'job-export');
      fs.mkdirSync(cwd, { recursive: true });
      fs.writeFileSync(path.join(cwd, 'params.yaml'), 'n_estimators: 25\n');
      const r = await runnable(['job', JOB, '-c', CONFIG, '--params', 'params.yaml', '--run-id', 'train-007'], { cwd });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Wrote the Kubernetes Job of job 'train-forest' to k8s-job.yaml");
      expect(r.stdout).toContain('kubectl apply -f k8s-job.yaml    # run id train-007');
      expect(fs.existsSync(path.join(cwd, '.run_log_store'))).toBe(false);
      const manifest = YAML.parse(fs.readFileSync(path.join(cwd, 'k8s-job.yaml'), 'utf8'));
      expect(modelErrors(manifest)).toEqual([]);
      expect(manifest.kind).toBe('Job');
      expect(manifest.metadata).toEqual({ name: 'train-007', namespace: 'pipelines', annotations: { 'runnable-ts/run-id': 'train-007' } });
      const spec = manifest.spec.template.spec;
      expect(spec.containers[0].command).toEqual([
        'npx', 'runnable', 'job', path.relative(cwd, JOB), '--config', path.relative(cwd, CONFIG), '--params', 'params.yaml', '--run-id', 'train-007',
      ]);
      expect(manifest.spec.template.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'runnable-ts', 'runnable-ts/kind': 'job' });
      expect(spec.volumes).toEqual([{ name: 'runnable', persistentVolumeClaim: { claimName: 'runnable-data' } }]);
      expect(spec.serviceAccountName).toBe('runnable');
      // `runnable export k8s-job` writes the same manifest for the job file
      const exported = await runnable(['export', 'k8s-job', JOB, '-c', CONFIG, '--params', 'params.yaml', '--run-id', 'train-007', '-o', 'exported.yaml'], { cwd });
      expect(exported.code).toBe(0);
      expect(YAML.parse(fs.readFileSync(path.join(cwd, 'exported.yaml'), 'utf8'))).toEqual(manifest);
    }, 60_000);

    it('with a schedule the job becomes a valid CronJob named after the job; every key of the original is carried', async () => {
      const cwd = path.join(dir, 'job-cron');
      fs.mkdirSync(cwd, { recursive: true });
      fs.writeFileSync(
        path.join(cwd, 'cron.config.yaml'),
        YAML.stringify({
          executor: {
            type: 'k8s-job',
            config: {
              namespace: 'ml',
              schedule: '0 3 * * *',
              pvc_claim_name: 'shared',
              job_spec: {
                activeDeadlineSeconds: 600,
                backoffLimit: 2,
                ttlSecondsAfterFinished: 3600,
                template: {
                  spec: {
                    activeDeadlineSeconds: 500,
                    restartPolicy: 'OnFailure',
                    serviceAccountName: 'trainer',
                    nodeSelector: { 'kubernetes.io/arch': 'amd64' },
                    tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
                    volumes: [{ name: 'scratch', emptyDir: { sizeLimit: '10Gi' } }],
                    container: {
                      image: 'img:2',
                      env: [{ name: 'MODE', value: 'nightly' }],
                      resources: { limits: { memory: '4Gi', cpu: '2', 'nvidia.com/gpu': '1' } },
                      volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
                    },
                  },
                },
              },
            },
          },
        }),
      );
      const r = await runnable(['job', JOB, '-c', 'cron.config.yaml'], { cwd });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Wrote the Kubernetes CronJob of job 'train-forest' to k8s-job.yaml");
      const cron = YAML.parse(fs.readFileSync(path.join(cwd, 'k8s-job.yaml'), 'utf8'));
      expect(modelErrors(cron)).toEqual([]);
      expect(cron.kind).toBe('CronJob');
      expect(cron.metadata).toEqual({ name: 'train-forest', namespace: 'ml' });
      expect(cron.spec.schedule).toBe('0 3 * * *');
      const jobSpec = cron.spec.jobTemplate.spec;
      expect([jobSpec.activeDeadlineSeconds, jobSpec.backoffLimit, jobSpec.ttlSecondsAfterFinished]).toEqual([600, 2, 3600]);
      const pod = jobSpec.template.spec;
      expect(pod).toMatchObject({ activeDeadlineSeconds: 500, restartPolicy: 'OnFailure', serviceAccountName: 'trainer', nodeSelector: { 'kubernetes.io/arch': 'amd64' } });
      expect(pod.tolerations).toEqual([{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }]);
      const c = pod.containers[0];
      // each scheduled run gets a generated run id: none in the command
      expect(c.command).toEqual(['npx', 'runnable', 'job', path.relative(cwd, JOB), '--config', 'cron.config.yaml']);
      expect(c.env).toEqual([{ name: 'RUNNABLE_IN_K8S_JOB', value: '1' }, { name: 'MODE', value: 'nightly' }]);
      expect(c.resources.limits).toEqual({ memory: '4Gi', cpu: '2', 'nvidia.com/gpu': '1' });
      expect(c.imagePullPolicy).toBe('Always');
      expect(pod.volumes).toEqual([
        { name: 'runnable', persistentVolumeClaim: { claimName: 'shared' } },
        { name: 'scratch', emptyDir: { sizeLimit: '10Gi' } },
      ]);
      expect(c.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toEqual(['/app/.run_log_store', '/app/.catalog', '/scratch']);
      // a misspelled key would vanish from the manifest: it is refused, naming the allowed keys
      const typo = { pvcClaimName: 'x', jobSpec: { template: { spec: { serviceAcountName: 'a', container: { image: 'i' } } } } };
      expect(() => parseK8sJobConfig(typo)).toThrow(
        "executor.config.jobSpec.template.spec.serviceAcountName is not a setting of 'k8s-job'. Allowed: activeDeadlineSeconds, restartPolicy, serviceAccountName, nodeSelector, tolerations, volumes, container.",
      );
      expect(() => parseK8sJobConfig({ ...base, jobSpec: { template: { spec: { container: { image: 'i', volumeMounts: 'x' } } } } })).toThrow(/container.volumeMounts must be a list/);
    }, 60_000);

    it("inside the Job's pod the same command runs the job and records it on the claim's folders", async () => {
      const cwd = path.join(dir, 'job-pod');
      fs.mkdirSync(cwd, { recursive: true });
      const inside = await runnable(['job', JOB, '-c', CONFIG, '--run-id', 'pod-1', '--quiet'], { cwd, env: { RUNNABLE_IN_K8S_JOB: '1', RUNNABLE_PRM_n_samples: '120' } });
      expect(inside.code).toBe(0);
      const log = readRunLog(cwd, 'pod-1');
      expect(log.status).toBe('SUCCESS');
      expect(log.run_config).toMatchObject({ kind: 'job', pipeline_executor: { service_name: 'k8s-job' } });
      expect(fs.existsSync(path.join(cwd, '.catalog/pod-1/models/forest.json'))).toBe(true);
    }, 60_000);
  });
});
