import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Captures what a step writes to stdout/stderr (console.log included), attributed to the step even when steps run
 * concurrently in this process. Output of child processes with inherited stdio bypasses it.
 */
export interface CaptureSink {
  chunks: string[];
  bytes: number;
  /** Called with each chunk when the step's output should also be shown. */
  echo?: (text: string, stream: 'stdout' | 'stderr') => void;
}

const MAX_CAPTURE_BYTES = 16 * 1024 * 1024;
/** Appended to captured output cut at MAX_CAPTURE_BYTES. */
export const TRUNCATION_NOTICE = '\n[runnable-ts: output truncated at 16 MiB]\n';
const als = new AsyncLocalStorage<CaptureSink>();
let installed = false;

type Write = typeof process.stdout.write;
/** The unpatched writers: the reporter uses them so its own lines are never captured. */
export const rawStdout: Write = process.stdout.write.bind(process.stdout);
export const rawStderr: Write = process.stderr.write.bind(process.stderr);

function patch(stream: NodeJS.WriteStream, raw: Write, name: 'stdout' | 'stderr'): void {
  stream.write = function (this: unknown, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const sink = als.getStore();
    if (!sink) return (raw as (...a: unknown[]) => boolean)(chunk, encoding, cb);
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    if (sink.bytes < MAX_CAPTURE_BYTES) {
      sink.chunks.push(text);
      sink.bytes += text.length;
      if (sink.bytes >= MAX_CAPTURE_BYTES) sink.chunks.push(TRUNCATION_NOTICE);
    }
    sink.echo?.(text, name);
    const callback = typeof encoding === 'function' ? encoding : cb;
    if (typeof callback === 'function') process.nextTick(callback as () => void);
    return true;
  } as Write;
}

function install(): void {
  if (installed) return;
  installed = true;
  patch(process.stdout, rawStdout, 'stdout');
  patch(process.stderr, rawStderr, 'stderr');
}

/** Runs fn with its stdout/stderr captured into sink. */
export function withCapture<T>(sink: CaptureSink, fn: () => Promise<T>): Promise<T> {
  install();
  return als.run(sink, fn);
}
