import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunContext, Scope } from '../../engine/context';
import type { TaskNode } from '../../graph/graph';
import type { StepLog } from '../../stores/run-log/types';
import type { Executor } from '../executor';
import { loadConfig, ConfigError } from '../../config/load';
import { initialParameters } from '../../engine/param-check';
import { PipelineDefinitionError } from '../../errors';
import { parseArgoConfig, type ArgoExecutorConfig } from './config';
import { lintWorkflow } from './lint';
import { transpile, type Manifest } from './transpile';
import type { AnyPipeline } from '../../types/any';

export type { ArgoExecutorConfig, ArgoContainerSettings } from './config';

const REFUSAL =
  "The 'argo' executor does not run pipelines in this process: it writes an Argo Workflow. Run 'runnable run <file.ts>' (or 'runnable export argo <file.ts>') on an exported pipeline, then submit the file with 'argo submit'.";

/** `executor: { type: 'argo', config }`: the pipeline becomes an Argo Workflow; every step runs in its own pod. */
export class ArgoExecutor implements Executor {
  readonly type = 'argo';
  readonly settings: ArgoExecutorConfig;
  constructor(raw: Record<string, unknown>) {
    this.settings = parseArgoConfig(raw);
  }
  executeTask(_ctx: RunContext, _node: TaskNode, _scope: Scope): Promise<StepLog> {
    throw new ConfigError(REFUSAL);
  }
  /** Read by executePipeline: a run is never walked in-process with this executor. */
  refusesInProcessRuns(): string {
    return REFUSAL;
  }
  config(): Record<string, unknown> {
    return { service_name: 'argo', service_type: 'pipeline_executor', image: this.settings.defaults.image };
  }
}

export interface ExportArgoOptions {
  pipeline: AnyPipeline;
  /** The pipeline file, relative to the project folder (the image's working directory). */
  file: string;
  exportName?: string;
  configFile?: string;
  parametersFile?: string;
  /** Where to write; default the config's outputFile, else argo-pipeline.yaml. */
  output?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ExportArgoResult {
  manifest: Manifest;
  yaml: string;
  /** The file written. */
  output: string;
  /** How to submit it. */
  submit: string;
}

/** Builds, lints and writes the Workflow of a pipeline with the configuration's `argo` executor settings. */
export function exportArgo(opts: ExportArgoOptions): ExportArgoResult {
  const env = opts.env ?? process.env;
  const loaded = loadConfig({ configFile: opts.configFile, env });
  const section = loaded.config.executor;
  if (section?.type !== 'argo') {
    throw new ConfigError(
      `${loaded.file ?? 'The embedded default configuration'} does not select the argo executor (executor.type is '${section?.type ?? 'local'}'). Add executor: { type: 'argo', config: { defaults: { image: '...' } } } to a configuration file and pass it with --config. See docs/argo.md.`,
    );
  }
  const argo = parseArgoConfig((section.config ?? {}) as Record<string, unknown>);
  const { params } = initialParameters({ pipelineName: opts.pipeline.name, defaults: opts.pipeline.defaults, ...(opts.parametersFile && { parametersFile: opts.parametersFile }), env });
  const manifest = transpile({
    pipeline: opts.pipeline,
    file: opts.file.split(path.sep).join('/'),
    ...(opts.exportName && { exportName: opts.exportName }),
    argo,
    ...(loaded.file && { configFile: loaded.file.split(path.sep).join('/') }),
    config: loaded.config,
    ...(opts.parametersFile && { parametersFile: opts.parametersFile.split(path.sep).join('/') }),
    initialParameters: params,
  });
  const problems = lintWorkflow(manifest);
  if (problems.length) throw new PipelineDefinitionError(`internal: the generated Argo manifest has problems:\n  ${problems.join('\n  ')}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const YAML = require('yaml') as typeof import('yaml');
  const yaml = YAML.stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false });
  const output = opts.output ?? argo.outputFile ?? 'argo-pipeline.yaml';
  fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
  fs.writeFileSync(output, yaml);
  const ns = argo.argoWorkflow?.metadata?.namespace;
  const submit = argo.cronSchedule
    ? `argo cron create ${output}${ns ? ` -n ${ns}` : ''}`
    : `argo submit ${output}${ns ? ` -n ${ns}` : ''} -p run_id=<new run id> --watch`;
  return { manifest, yaml, output, submit };
}
