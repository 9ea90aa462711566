import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';
import type { Catalog } from '../stores/catalog/catalog';
import type { RunLogStore } from '../stores/run-log/store';
import type { RunLog } from '../stores/run-log/types';
import { RunLogNotFoundError } from '../errors';
import { listRuns, otherLayoutNote, summarizeRun } from '../engine/runs';
import { validateRunId } from '../engine/run-id';
import { buildReportData } from '../report/html';
import { runGraphSvg } from '../report/report';
import { catalogSizes } from '../report/sizes';
import { recordedArtifacts } from './artifacts';
import { comparePage, errorPage, runPage, runsPage, UI_CSP } from './pages';

/** The only interface the runs browser listens on: this machine. */
export const UI_HOST = '127.0.0.1';
/** At most this many runs on one compare page. */
const MAX_COMPARE = 50;

export interface RunsBrowserOptions {
  store: RunLogStore;
  catalog: Catalog;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** How often a run's page asks whether a run in progress changed, ms (default 2000). */
  pollMs?: number;
}

export interface RunsBrowser {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** A request the browser refuses, with the status code to answer. */
class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': UI_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function runId(raw: string): string {
  const problem = validateRunId(raw);
  if (problem) throw new Refused(400, problem);
  return raw;
}

/**
 * Path segments, each percent-decoded, and the query. Refused: NUL bytes, malformed encodings, and `.`/`..` segments
 * in any spelling (`..`, `%2e%2e`, `..%2F`): nothing is resolved relative to anything.
 */
function segments(rawUrl: string): { parts: string[]; query: URLSearchParams } {
  if (/%00|\0/i.test(rawUrl)) throw new Refused(400, 'NUL bytes are not allowed in a URL');
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  if (!rawPath.startsWith('/')) throw new Refused(400, 'malformed URL');
  let parts: string[];
  try {
    parts = rawPath.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  } catch {
    throw new Refused(400, 'malformed percent-encoding in the URL');
  }
  if (parts.some((p) => p.split(/[/\\]/).some((x) => x === '.' || x === '..'))) throw new Refused(400, "'.' and '..' are not allowed in a URL's path");
  return { parts, query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)) };
}

function contentDisposition(file: string): string {
  const base = file.split('/').pop() || 'artifact';
  const ascii = base.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`;
}

/**
 * `runnable ui`: a read-only web app over a run-log store and catalog, listening on 127.0.0.1 only.
 *
 * Pages: `/` the runs list; `/runs/<id>` a run (the report's components, live while it runs); `/compare?runs=a,b`
 * runs side by side with a chart per metric; `/runs/<id>/artifacts/<path>` downloads a catalog file the run log
 * records. JSON: `/api/runs`, `/api/runs/<id>`. Run ids are validated as the CLI does; artifact paths are matched
 * against the run log's recorded entries, never used as paths themselves. Requests naming another host (DNS
 * rebinding) are refused.
 */
export async function startRunsBrowser(opts: RunsBrowserOptions): Promise<RunsBrowser> {
  const { store, catalog } = opts;
  const pollMs = opts.pollMs ?? 2000;
  let port = 0;

  const getLog = async (id: string): Promise<RunLog> => {
    try {
      return await store.get(runId(id));
    } catch (err) {
      if (err instanceof RunLogNotFoundError) throw new Refused(404, `No run '${id}' in ${store.describe(id)}.`);
      throw err;
    }
  };
  const version = (log: RunLog) => createHash('sha1').update(JSON.stringify(log)).digest('hex');

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const host = (req.headers.host ?? '').toLowerCase();
    if (host !== `${UI_HOST}:${port}` && host !== `localhost:${port}`) throw new Refused(403, `This server answers requests for ${UI_HOST}:${port} only.`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      throw new Refused(405, 'The runs browser is read-only: GET and HEAD only.');
    }
    const { parts, query } = segments(req.url ?? '/');
    const send = (status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
      const buf = typeof body === 'string' ? Buffer.from(body) : body;
      res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(buf.length), ...extra });
      res.end(req.method === 'HEAD' ? undefined : buf);
    };
    const html = (body: string) => send(200, 'text/html; charset=utf-8', body);
    const json = (value: unknown) => send(200, 'application/json; charset=utf-8', JSON.stringify(value));
    const where = (store.config() as { log_folder?: string }).log_folder ?? `the ${store.type} run-log store`;

    const [a, b, c, ...rest] = parts;
    if (a === undefined) {
      const runs = await listRuns(store);
      const note = await otherLayoutNote(store);
      return html(runsPage(runs, where, runs.skipped, note ? [note.replace(/ \(-c <file>\)\.$/, ' (runnable ui -c <file>).')] : []));
    }
    if (a === 'api' && b === 'runs' && c === undefined && !rest.length) return json(await listRuns(store));
    if (a === 'api' && b === 'runs' && c !== undefined && !rest.length) {
      const log = await getLog(c);
      return json({ runId: log.run_id, status: log.status, version: version(log) });
    }
    if (a === 'runs' && b !== undefined && c === undefined) {
      const log = await getLog(b);
      const data = await buildReportData(log, catalog);
      // sizes as the report finds them: a local catalog is stat-ed, others read up to a limit
      const sizeOf = await catalogSizes(log, catalog);
      const artifacts = recordedArtifacts(log).map((x) => {
        const size = sizeOf(`${log.run_id}/${x.path}`);
        return { ...x, ...(size !== undefined && { size }) };
      });
      return html(runPage(data, runGraphSvg(log, data), artifacts, version(log), pollMs));
    }
    if (a === 'runs' && b !== undefined && c === 'artifacts' && rest.length) {
      const log = await getLog(b);
      const wanted = rest.join('/');
      const found = recordedArtifacts(log).find((x) => x.path === wanted);
      if (!found) throw new Refused(404, `Run ${log.run_id} records no catalog file '${wanted}'.`);
      const gone = () => new Refused(404, `Run ${log.run_id} records '${found.path}' but the catalog (${catalog.describe(log.run_id)}) no longer has it.`);
      const headers = { ...SECURITY_HEADERS, 'Content-Type': 'application/octet-stream', 'Content-Disposition': contentDisposition(found.path) };
      if (catalog.localRoot) {
        // a local catalog: streamed, so a large file does not sit in memory (the path is the run log's, checked to stay inside)
        const root = path.resolve(catalog.localRoot);
        const file = path.resolve(root, log.run_id, found.path);
        if (!file.startsWith(root + path.sep)) throw gone();
        const st = await fs.promises.stat(file).catch(() => undefined);
        if (!st?.isFile()) throw gone();
        res.writeHead(200, { ...headers, 'Content-Length': String(st.size) });
        if (req.method === 'HEAD') return void res.end();
        await pipeline(fs.createReadStream(file), res);
        return;
      }
      const bytes = await catalog.getObject(log.run_id, found.path).catch(() => {
        throw gone();
      });
      return send(200, 'application/octet-stream', bytes, { 'Content-Disposition': contentDisposition(found.path) });
    }
    if (a === 'compare' && b === undefined) {
      const ids = query.getAll('runs').flatMap((v) => v.split(',')).filter((v) => v !== '');
      if (ids.length < 1) throw new Refused(400, 'Name the runs to compare: /compare?runs=<id>,<id>');
      if (ids.length > MAX_COMPARE) throw new Refused(400, `At most ${MAX_COMPARE} runs on one compare page.`);
      const runs = await Promise.all(ids.map(async (id) => summarizeRun(await getLog(id))));
      return html(comparePage(runs));
    }
    throw new Refused(404, 'No such page.');
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof Refused ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const wantsJson = (req.url ?? '').startsWith('/api/');
      const body = wantsJson ? JSON.stringify({ error: message }) : errorPage(status, message);
      res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': wantsJson ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)) });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, UI_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${UI_HOST}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
