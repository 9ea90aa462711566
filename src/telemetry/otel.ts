import { context, trace, SpanStatusCode, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { Parameter, RunLog, StepLog } from '../stores/run-log/types';
import { parseTimestamp } from '../util/time';
import { PACKAGE_VERSION } from '../version';
import type { OptionalModule } from '../types/any';

/**
 * OpenTelemetry spans of a run, through `@opentelemetry/api`: a no-op unless an SDK is registered (by the user, or
 * by {@link configureTelemetryFromEnv} from the original's environment switches).
 *
 * Spans (names and attributes as the Python runnable's, plus attempts):
 * - `pipeline:<pipeline name>` (`job:<job name>` for a job): `pipeline_name`, `run_id`, `executor`; events `Pipeline execution started`,
 *   `Pipeline completed` / `Pipeline failed`.
 * - `task:<step internal name>` (child of the run span, or of its composite step's span): `task_name`, `task_type`,
 *   `run_id`, `status`, `attempts`; events `Task started`, `Task completed` (outputs), `Task failed` (error), one
 *   `task_event` per value an async-generator task yields.
 * - `attempt:<step internal name>#<n>` (child of the step span, with the attempt's own start and end): `attempt_number`,
 *   `status`, `duration_seconds`, `cpu_seconds`, `peak_rss_bytes`, `error_type`.
 * Values in attributes are JSON strings cut at 256 characters (ending `...`); pickled values appear as `<object>`.
 */

/** What the engine reports (the engine's Reporter, structurally: this folder imports nothing from the engine). */
interface Progress {
  runStarted(info: { runId: string; pipeline: string; isRetry: boolean }): void;
  stepStarted(internalName: string): void;
  stepSkipped(internalName: string): void;
  attemptFailed(info: { internalName: string; attempt: number; maxAttempts: number; error: string; backoffMs: number }): void;
  stepFinished(e: { internalName: string; status: 'SUCCESS' | 'FAIL'; seconds: number; attempt: number; error?: string; step?: StepLog }): void;
  runFinished(e: { runId: string; status: 'SUCCESS' | 'FAIL'; seconds: number; failedSteps: { name: string; message: string }[]; runLog: RunLog }): void;
  warn(message: string): void;
  stepOutput?(internalName: string, text: string, stream: 'stdout' | 'stderr'): void;
  readonly showsStepOutput?: boolean;
  taskEvent?(internalName: string, event: unknown): void;
}

const MAX = 256;

/** A value as a span attribute: a JSON string of at most 256 characters. */
export function attributeValue(v: unknown): string {
  let text: string;
  try {
    text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  } catch {
    text = String(v);
  }
  return text.length > MAX ? `${text.slice(0, MAX - 3)}...` : text;
}

function paramAttributes(prefix: string, ps: Record<string, Parameter>): Attributes {
  const out: Attributes = {};
  for (const [k, p] of Object.entries(ps)) out[`${prefix}.${k}`] = p.kind === 'object' ? '<object>' : attributeValue(p.value);
  return out;
}

/** The internal name of the composite step a step runs in (`m.3.train` → `m`), if any. */
function parentStep(internalName: string): string | undefined {
  const parts = internalName.split('.');
  return parts.length >= 3 ? parts.slice(0, -2).join('.') : undefined;
}

export class TelemetryReporter implements Progress {
  /** A plain boolean: `boolean | undefined` does not implement the optional member under exactOptionalPropertyTypes. */
  readonly showsStepOutput: boolean;
  stepOutput?(internalName: string, text: string, stream: 'stdout' | 'stderr'): void;
  private runSpan: Span | undefined;
  private runId = '';
  private readonly steps = new Map<string, { span: Span; started: number }>();

  constructor(
    private readonly inner: Progress,
    private readonly executor: string,
    private readonly tracer: Tracer = trace.getTracer('runnable-ts', PACKAGE_VERSION),
  ) {
    this.showsStepOutput = inner.showsStepOutput === true;
    if (inner.stepOutput) this.stepOutput = (n, t, s) => inner.stepOutput!(n, t, s);
  }

  private parentContext(internalName: string) {
    const parent = parentStep(internalName);
    const span = (parent && this.steps.get(parent)?.span) || this.runSpan;
    return span ? trace.setSpan(context.active(), span) : context.active();
  }

  runStarted(info: { runId: string; pipeline: string; isRetry: boolean; kind?: 'pipeline' | 'job' }): void {
    this.inner.runStarted(info);
    this.runId = info.runId;
    this.runSpan = this.tracer.startSpan(`${info.kind === 'job' ? 'job' : 'pipeline'}:${info.pipeline}`, {
      attributes: { pipeline_name: info.pipeline, run_id: info.runId, executor: this.executor, is_retry: info.isRetry },
    });
    this.runSpan.addEvent('Pipeline execution started');
  }

  stepStarted(internalName: string): void {
    this.inner.stepStarted(internalName);
    const span = this.tracer.startSpan(`task:${internalName}`, { attributes: { task_name: internalName, run_id: this.runId } }, this.parentContext(internalName));
    span.addEvent('Task started');
    this.steps.set(internalName, { span, started: Date.now() });
  }

  stepSkipped(internalName: string): void {
    this.inner.stepSkipped(internalName);
    this.runSpan?.addEvent('Task skipped', { task_name: internalName });
  }

  attemptFailed(info: { internalName: string; attempt: number; maxAttempts: number; error: string; backoffMs: number }): void {
    this.inner.attemptFailed(info);
    this.steps.get(info.internalName)?.span.addEvent('Task retrying', { attempt: info.attempt, max_attempts: info.maxAttempts, error: attributeValue(info.error) });
  }

  taskEvent(internalName: string, event: unknown): void {
    this.inner.taskEvent?.(internalName, event);
    const s = this.steps.get(internalName)?.span;
    if (s?.isRecording()) s.addEvent('task_event', { event: attributeValue(event) });
  }

  stepFinished(e: { internalName: string; status: 'SUCCESS' | 'FAIL'; seconds: number; attempt: number; error?: string; step?: StepLog }): void {
    this.inner.stepFinished(e);
    const entry = this.steps.get(e.internalName);
    if (!entry) return;
    this.steps.delete(e.internalName);
    const { span, started } = entry;
    if (span.isRecording()) {
      const step = e.step;
      span.setAttributes({ status: e.status, task_type: step?.step_type ?? 'task', attempts: step?.attempts.length ?? e.attempt, duration_seconds: e.seconds });
      const ctx = trace.setSpan(context.active(), span);
      // attempts of this execution (on a retry of a run, earlier attempts belong to the original run's spans)
      for (const a of step?.attempts ?? []) {
        const start = parseTimestamp(a.start_time).getTime();
        if (start < started - 5) continue;
        const as = this.tracer.startSpan(
          `attempt:${e.internalName}#${a.attempt_number}`,
          {
            startTime: start,
            attributes: {
              attempt_number: a.attempt_number,
              status: a.status,
              ...(a.duration_seconds !== undefined && { duration_seconds: a.duration_seconds }),
              ...(a.cpu_seconds !== undefined && { cpu_seconds: a.cpu_seconds }),
              ...(a.peak_rss_bytes !== undefined && { peak_rss_bytes: a.peak_rss_bytes }),
              ...(a.error_type && { error_type: a.error_type }),
              ...paramAttributes('input', a.input_parameters),
            },
          },
          ctx,
        );
        if (a.status === 'FAIL') as.setStatus({ code: SpanStatusCode.ERROR, message: attributeValue(a.message) });
        as.end(parseTimestamp(a.end_time).getTime());
      }
      const last = step?.attempts.at(-1);
      if (e.status === 'SUCCESS') span.addEvent('Task completed', { status: 'success', ...(last ? paramAttributes('output', last.output_parameters) : {}) });
      else span.addEvent('Task failed', { error: attributeValue(e.error ?? '') });
    }
    span.setStatus(e.status === 'SUCCESS' ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: attributeValue(e.error ?? '') });
    span.end();
  }

  runFinished(e: { runId: string; status: 'SUCCESS' | 'FAIL'; seconds: number; failedSteps: { name: string; message: string }[]; runLog: RunLog }): void {
    this.inner.runFinished(e);
    const span = this.runSpan;
    if (!span) return;
    if (e.status === 'SUCCESS') {
      span.addEvent('Pipeline completed', { status: 'success' });
      span.setStatus({ code: SpanStatusCode.OK });
    } else {
      span.addEvent('Pipeline failed', { status: 'failed', failed_steps: e.failedSteps.map((s) => s.name).join(', ') });
      span.setStatus({ code: SpanStatusCode.ERROR, message: attributeValue(e.failedSteps.map((s) => `${s.name}: ${s.message}`).join('; ')) });
    }
    span.end();
    this.runSpan = undefined;
  }

  warn(message: string): void {
    this.inner.warn(message);
  }
}

let configured = false;

/**
 * The original's environment switches, applied once per process when a run starts (never on import):
 * `RUNNABLE_TELEMETRY_CONSOLE=true` prints spans to the console; `OTEL_EXPORTER_OTLP_ENDPOINT` sends them over OTLP.
 * They need the SDK packages, which runnable-ts does not install: `@opentelemetry/sdk-trace-base` (console), plus
 * `@opentelemetry/exporter-trace-otlp-http` (or `-grpc`) for OTLP. A tracer provider the user registered wins.
 * Returns what was set up, or why nothing was.
 */
export function configureTelemetryFromEnv(env: NodeJS.ProcessEnv, warn: (m: string) => void, load: (id: string) => OptionalModule = require): string | undefined {
  const consoleOn = /^(1|true|yes)$/i.test(env.RUNNABLE_TELEMETRY_CONSOLE ?? '');
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (configured || (!consoleOn && !endpoint)) return undefined;
  configured = true;
  let sdk: OptionalModule;
  try {
    sdk = load('@opentelemetry/sdk-trace-base');
  } catch {
    warn(
      `${consoleOn ? 'RUNNABLE_TELEMETRY_CONSOLE' : 'OTEL_EXPORTER_OTLP_ENDPOINT'} is set but the OpenTelemetry SDK is not installed: ` +
        `npm install @opentelemetry/sdk-trace-base${endpoint ? ' @opentelemetry/exporter-trace-otlp-http' : ''}. No spans are exported.`,
    );
    return undefined;
  }
  const processors: unknown[] = [];
  const what: string[] = [];
  if (consoleOn) {
    processors.push(new sdk.SimpleSpanProcessor(new sdk.ConsoleSpanExporter()));
    what.push('console');
  }
  if (endpoint) {
    let exporter: unknown;
    for (const id of ['@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/exporter-trace-otlp-grpc', '@opentelemetry/exporter-trace-otlp-proto']) {
      try {
        exporter = new (load(id).OTLPTraceExporter)();
        what.push(`OTLP (${id.split('-').pop()}) to ${endpoint}`);
        break;
      } catch {
        /* try the next transport */
      }
    }
    if (exporter) processors.push(new sdk.BatchSpanProcessor(exporter));
    else warn(`OTEL_EXPORTER_OTLP_ENDPOINT is set but no OTLP exporter is installed: npm install @opentelemetry/exporter-trace-otlp-http. Spans are not sent.`);
  }
  if (!processors.length) return undefined;
  const provider = new sdk.BasicTracerProvider({ spanProcessors: processors });
  if (!trace.setGlobalTracerProvider(provider)) {
    warn('A tracer provider is already registered: runnable-ts uses it and ignores RUNNABLE_TELEMETRY_CONSOLE / OTEL_EXPORTER_OTLP_ENDPOINT.');
    return undefined;
  }
  // batch exporters hold spans: send them before the process exits
  process.once('beforeExit', () => void provider.shutdown().catch(() => undefined));
  return what.join(' and ');
}
