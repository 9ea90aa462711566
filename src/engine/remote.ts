/**
 * A task step run somewhere else (a child process, a container): the engine hands the executor one StepInvocation per
 * attempt and reads the attempt back from the run-log store, which the other process wrote.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RunnableError } from '../errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StepInvocation, StepIO } from '../executors/executor';
import type { TaskNode } from '../graph/graph';
import type { StepAttempt, StepLog } from '../stores/run-log/types';
import { timestamp } from '../util/time';
import { yieldToEventLoop } from '../util/yield';
import type { RunContext, Scope } from './context';
import { maxAttemptsOf, openStep } from './task-node';

/** An out-of-process executor cannot run this pipeline as configured (no pipeline file, a store it cannot share). */
export class ExecutorSetupError extends RunnableError {
  override readonly code = 'EXECUTOR_SETUP';
}

/** The iteration variables of the enclosing branches: values a branch holds that none of its steps wrote. */
function iterationValues(scope: Scope): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let s: Scope | undefined = scope; s?.branch !== undefined; s = s.parent) {
    for (const [k, p] of Object.entries(s.own)) if (!s.written.has(k) && p.kind !== 'object' && !(k in out)) out[k] = p.value;
  }
  return out;
}

export function invocationFor(ctx: RunContext, node: TaskNode, scope: Scope, internal: string, attempt: number): StepInvocation {
  if (!ctx.definition) {
    throw new ExecutorSetupError(
      `The '${ctx.executor.type}' executor runs each step in another process, which must load the pipeline '${ctx.pipeline.name}' from its file, ` +
        `but where it is defined is unknown. Run it with 'runnable run <file>', or export it from a module and pass ` +
        `execute({ definition: { file: 'pipeline.ts', exportName: 'default' } }).`,
    );
  }
  const override = node.options.overrides?.[ctx.executor.type];
  return {
    runId: ctx.runId,
    step: internal,
    pipeline: ctx.definition,
    attempt,
    ...(ctx.configFile !== undefined && { configFile: ctx.configFile }),
    iteration: iterationValues(scope),
    cwd: ctx.workingDirectory,
    ...(override !== undefined && { overrides: override }),
  };
}

/** The nearest folder at or above `from` holding a package.json (the project), else `from`. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

/** Local folders a step's process must see: the working folder, the pipeline's project, the stores, the configuration. */
function localFolders(ctx: RunContext): string[] {
  const folders = [ctx.workingDirectory];
  if (ctx.definition) folders.push(projectRoot(path.dirname(path.resolve(ctx.workingDirectory, ctx.definition.file))));
  if (ctx.store.localRoot) folders.push(ctx.store.localRoot);
  if (ctx.catalog.localRoot) folders.push(ctx.catalog.localRoot);
  if (ctx.configFile) folders.push(path.dirname(path.resolve(ctx.workingDirectory, ctx.configFile)));
  const dotenv = ctx.secrets.config().location;
  if (typeof dotenv === 'string') folders.push(path.dirname(path.resolve(ctx.workingDirectory, dotenv)));
  return folders;
}

/**
 * Executes a task step through an out-of-process executor: its attempts (`retry.maxAttempts`, one invocation each),
 * then its outputs into `scope` (the other process stored them). An attempt whose process died before recording it
 * (crash, out of memory, a container that failed to start) is recorded here as FAIL with the executor's reason.
 */
export async function executeTaskElsewhere(ctx: RunContext, node: TaskNode, scope: Scope): Promise<StepLog> {
  await yieldToEventLoop();
  const internal = scope.internalName(node.name);
  let step = await openStep(ctx, node, internal);
  const maxAttempts = maxAttemptsOf(node);
  const backoffMs = Math.max(0, node.options.retry?.backoffMs ?? 0);
  const t0 = performance.now();
  const running = ctx.running.get(internal)!;
  try {
    let error: string | undefined;
    for (let i = 1; i <= maxAttempts; i++) {
      const number = step.attempts.length + 1;
      const started = timestamp();
      const invocation = invocationFor(ctx, node, scope, internal, number);
      const show = ctx.reporter.showsStepOutput && ctx.reporter.stepOutput ? ctx.reporter.stepOutput.bind(ctx.reporter) : undefined;
      const io: StepIO = { folders: localFolders(ctx), secrets: node.options.secrets ?? [] };
      if (show) io.output = (text, stream) => show(internal, text, stream);
      const outcome = await ctx.executor.runStep!(invocation, io);
      const recorded = await ctx.store.getStep(ctx.runId, internal); // as the other process left it
      if (recorded && recorded.attempts.length >= number) {
        step = recorded;
      } else {
        const attempt: StepAttempt = {
          attempt_number: number,
          start_time: started,
          end_time: timestamp(),
          status: 'FAIL',
          message: outcome.message ?? `the step's process ended without recording attempt ${number}`,
          input_parameters: {},
          output_parameters: {},
          user_defined_metrics: {},
          retry_indicator: ctx.retryIndicator,
          code_identities: await ctx.codeIdentities,
          error_type: 'ExecutorError',
        };
        step.attempts.push(attempt);
        step.status = 'FAIL';
        step.message = attempt.message;
        await ctx.store.apply(ctx.runId, [{ op: 'step', step }]);
      }
      running.step = step;
      const last = step.attempts.at(-1)!;
      error = last.status === 'FAIL' ? last.message : undefined;
      if (last.status === 'SUCCESS') break;
      if (i < maxAttempts) {
        ctx.reporter.attemptFailed({ internalName: internal, attempt: i, maxAttempts, error: error ?? '', backoffMs });
        if (backoffMs) await sleep(backoffMs);
      }
    }
    const last = step.attempts.at(-1)!;
    if (last.status === 'SUCCESS' && Object.keys(last.output_parameters).length) scope.set(last.output_parameters);
    ctx.reporter.stepFinished({
      internalName: internal,
      status: last.status === 'SUCCESS' ? 'SUCCESS' : 'FAIL',
      seconds: (performance.now() - t0) / 1000,
      attempt: last.attempt_number,
      ...(error !== undefined && { error }),
    });
    return step;
  } finally {
    ctx.running.delete(internal);
  }
}
