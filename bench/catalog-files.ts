/**
 * Catalog file syncing throughput: `putFiles`/`getFiles` through the file-system catalog vs. `cp` of the same file.
 *
 *   node bin/run-ts.js bench/catalog-files.ts                  # 256 MiB and 1 GiB files, 3 repetitions each
 *   node bin/run-ts.js bench/catalog-files.ts --sizes=1024     # sizes in MiB
 *   node bin/run-ts.js bench/catalog-files.ts --reps=5 --tmp=/some/dir
 *
 * The source file, the catalog and the destination folders are in one temp folder (same file system), removed at
 * the end. What is measured is the copy into the page cache, as `cp` does it: the source is in the page cache (as a
 * file a step just wrote would be), and each copy is deleted right after its timing, for cp and catalog alike,
 * so no disk write-back is timed (a `sync` between operations made the figures of both vary 5x on a VM); and
 * before each, a scratch file of the same size is written and deleted (see `freshPages`).
 * Files below 1 GiB are hashed in full (SHA-256), so their put/get cannot go faster than SHA-256; from 1 GiB the
 * hash is a fingerprint. Peak RSS is sampled every 50 ms during each operation and reported as the growth over
 * the RSS before it. Every put and get must record the same hash. This is a measurement: it asserts nothing.
 *
 * `runCatalogBench()` is exported for other bench entries.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FINGERPRINT_THRESHOLD_BYTES } from '../src/stores/catalog/catalog';
import { FileSystemCatalog } from '../src/stores/catalog/file-system';
import { getFiles, putFiles } from '../src/stores/catalog/files';
import { median, table } from './stats';

const MiB = 1024 * 1024;
const SAMPLE_MS = 50;
/** The target: the catalog at no less than half the speed of `cp`. */
const TARGET_RATIO = 0.5;

export interface CatalogBenchOptions {
  /** File sizes in MiB. Default [256, 1024]. */
  sizesMiB?: readonly number[];
  /** Repetitions of each operation (the median is reported). Default 3. */
  reps?: number;
  /** Folder for the temp files. Default os.tmpdir(). */
  tmpRoot?: string;
}

export interface OpResult {
  medianMs: number;
  /** Fastest repetition. */
  bestMs: number;
  samplesMs: number[];
  mbPerS: number;
  /** Largest RSS growth over the RSS before the operation, in bytes (catalog operations only). */
  peakRssGrowthBytes?: number;
}

export interface SizeResult {
  sizeBytes: number;
  hash: 'sha256' | 'fingerprint';
  /** ratio: catalog throughput / cp throughput, from the medians; bestRatio: from the fastest repetitions. */
  put: { catalog: OpResult; cp: OpResult; ratio: number; bestRatio: number };
  get: { catalog: OpResult; cp: OpResult; ratio: number; bestRatio: number };
}

export interface CatalogBenchResult {
  config: { reps: number; tmpRoot: string; sampleMs: number; targetRatio: number; node: string };
  /** Peak RSS of the process over the whole bench, in bytes. */
  peakRssBytes: number;
  sizes: SizeResult[];
}

/** All runs must record the same hash for the file, on put and on get. */
function check(expected: string | undefined, entries: readonly { data_hash: string }[]): string {
  const h = entries[0]?.data_hash;
  if (entries.length !== 1 || !h || (expected !== undefined && h !== expected)) throw new Error(`unexpected catalog entries ${JSON.stringify(entries)}`);
  return h;
}

function cp(src: string, dest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('cp', [src, dest], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cp exited with ${code}: ${err}`))));
  });
}

/** Writes `size` bytes of varied (not sparse, not constant) content, 1 MiB at a time. */
function makeFile(file: string, size: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  try {
    const chunk = Buffer.allocUnsafe(MiB);
    for (let off = 0; off < size; off += MiB) {
      for (let i = 0; i < MiB; i += 4) chunk.writeUInt32LE(((off + i) * 2654435761) >>> 0, i);
      fs.writeSync(fd, chunk, 0, Math.min(MiB, size - off));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes then deletes `size` bytes, so that the next operation finds that much freshly freed memory for its page
 * cache. On a VM that hands free memory back to the host (virtio-balloon free page reporting), an operation that
 * must take memory already returned to the host runs 3-5x slower, whichever tool it is; without this, which of
 * cp or the catalog met that case depended on the order of the operations.
 */
function freshPages(dir: string, size: number): void {
  const file = path.join(dir, 'scratch.bin');
  const fd = fs.openSync(file, 'w');
  try {
    const chunk = Buffer.alloc(MiB, 1);
    for (let off = 0; off < size; off += MiB) fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
  fs.rmSync(file);
}

let processPeakRss = 0;

/** Times `fn`, sampling the RSS every 50 ms; returns ms and the RSS growth over the RSS before it. */
async function measure(fn: () => Promise<unknown>): Promise<{ ms: number; rssGrowth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  const t0 = process.hrtime.bigint();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  sample();
  processPeakRss = Math.max(processPeakRss, peak);
  return { ms, rssGrowth: peak - before };
}

function summarise(samplesMs: number[], sizeBytes: number, rss?: number[]): OpResult {
  const medianMs = median(samplesMs);
  const r: OpResult = { medianMs, bestMs: Math.min(...samplesMs), samplesMs, mbPerS: sizeBytes / 1e6 / (medianMs / 1000) };
  if (rss) r.peakRssGrowthBytes = Math.max(...rss);
  return r;
}

export async function runCatalogBench(opts: CatalogBenchOptions = {}): Promise<CatalogBenchResult> {
  const sizesMiB = opts.sizesMiB ?? [256, 1024];
  const reps = opts.reps ?? 3;
  const tmpRoot = opts.tmpRoot ?? os.tmpdir();
  const base = fs.mkdtempSync(path.join(tmpRoot, 'rt-bench-catalog-'));
  processPeakRss = process.memoryUsage().rss;
  const sizes: SizeResult[] = [];
  try {
    const cwd = path.join(base, 'work');
    const root = path.join(base, 'catalog');
    const catalog = new FileSystemCatalog({ catalog_location: root });
    for (const mib of sizesMiB) {
      const size = mib * MiB;
      const name = 'data/blob.bin';
      const src = path.join(cwd, name);
      makeFile(src, size);
      const t = { put: [] as number[], putCp: [] as number[], get: [] as number[], getCp: [] as number[] };
      const rss = { put: [] as number[], get: [] as number[] };
      let expectedHash: string | undefined;
      // rep -1 is an untimed warm-up: the first writes of a fresh VM's memory are much slower than later ones
      for (let rep = -1; rep < reps; rep++) {
        const runId = `bench-${mib}-${rep + 1}`;
        const cpDir = path.join(base, 'cp');
        fs.mkdirSync(cpDir, { recursive: true });
        const stored = path.join(root, runId, name);
        const getCwd = path.join(base, `get-${rep + 1}`);
        const cpPut = path.join(cpDir, 'put.bin');
        const cpGet = path.join(cpDir, 'get.bin');
        const timed = async (key: keyof typeof t, fn: () => Promise<unknown>, after: () => void): Promise<void> => {
          freshPages(base, size);
          const m = await measure(fn);
          if (rep >= 0) {
            t[key].push(m.ms);
            if (key === 'put' || key === 'get') rss[key].push(m.rssGrowth);
          }
          after();
        };
        const catalogPut = () =>
          timed('put', async () => (expectedHash = check(expectedHash, await putFiles(catalog, runId, [name], { cwd, storeCopy: true }))), () => undefined);
        const cpPutOp = () => timed('putCp', () => cp(src, cpPut), () => fs.rmSync(cpPut));
        const catalogGet = () =>
          timed('get', async () => check(expectedHash, await getFiles(catalog, runId, [name], { cwd: getCwd })), () => {
            if (fs.statSync(path.join(getCwd, name)).size !== size) throw new Error('get produced a wrong size');
            fs.rmSync(getCwd, { recursive: true });
          });
        const cpGetOp = () => timed('getCp', () => cp(stored, cpGet), () => fs.rmSync(cpGet));
        // alternate which goes first, so that neither always meets the other's page-cache state
        if (rep % 2 !== 0) {
          await cpPutOp();
          await catalogPut();
          await cpGetOp();
          await catalogGet();
        } else {
          await catalogPut();
          await cpPutOp();
          await catalogGet();
          await cpGetOp();
        }
        fs.rmSync(path.join(root, runId), { recursive: true, force: true });
        fs.rmSync(cpDir, { recursive: true, force: true });
      }
      fs.rmSync(src, { force: true });
      const put = { catalog: summarise(t.put, size, rss.put), cp: summarise(t.putCp, size) };
      const get = { catalog: summarise(t.get, size, rss.get), cp: summarise(t.getCp, size) };
      sizes.push({
        sizeBytes: size,
        hash: size >= FINGERPRINT_THRESHOLD_BYTES ? 'fingerprint' : 'sha256',
        put: { ...put, ratio: put.cp.medianMs / put.catalog.medianMs, bestRatio: put.cp.bestMs / put.catalog.bestMs },
        get: { ...get, ratio: get.cp.medianMs / get.catalog.medianMs, bestRatio: get.cp.bestMs / get.catalog.bestMs },
      });
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  return {
    config: { reps, tmpRoot, sampleMs: SAMPLE_MS, targetRatio: TARGET_RATIO, node: process.version },
    peakRssBytes: processPeakRss,
    sizes,
  };
}

export function formatCatalogBench(r: CatalogBenchResult): string {
  const mib = (b: number) => (b / MiB).toFixed(1);
  const rows: (string | number)[][] = [];
  for (const s of r.sizes) {
    for (const op of ['put', 'get'] as const) {
      const x = s[op];
      rows.push([
        `${op} ${mib(s.sizeBytes)} MiB`,
        s.hash,
        x.catalog.medianMs.toFixed(0),
        x.catalog.mbPerS.toFixed(0),
        x.cp.medianMs.toFixed(0),
        x.cp.mbPerS.toFixed(0),
        `${x.ratio.toFixed(2)}${x.ratio >= r.config.targetRatio ? '' : ' (below target)'}`,
        x.bestRatio.toFixed(2),
        mib(x.catalog.peakRssGrowthBytes ?? NaN),
        `${x.catalog.samplesMs.map((v) => v.toFixed(0)).join('/')} vs ${x.cp.samplesMs.map((v) => v.toFixed(0)).join('/')}`,
      ]);
    }
  }
  return [
    `Catalog file sync (file-system catalog) vs cp; median of ${r.config.reps}; temp dir in ${r.config.tmpRoot}; node ${r.config.node}`,
    table(['operation', 'hash', 'catalog ms', 'MB/s', 'cp ms', 'MB/s', 'catalog/cp', 'best/best', 'peak RSS +MiB', 'samples ms (catalog vs cp)'], rows),
    `catalog/cp = throughput ratio of the medians (target >= ${r.config.targetRatio}); best/best = of the fastest repetitions. ` +
      `Peak RSS growth sampled every ${r.config.sampleMs} ms during each catalog operation; process peak RSS ${mib(r.peakRssBytes)} MiB.`,
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === __filename) {
  const args = process.argv.slice(2);
  const arg = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const sizes = arg('sizes');
  const reps = arg('reps');
  const tmp = arg('tmp');
  runCatalogBench({
    ...(sizes ? { sizesMiB: sizes.split(',').map(Number) } : {}),
    ...(reps ? { reps: Number(reps) } : {}),
    ...(tmp ? { tmpRoot: tmp } : {}),
  }).then(
    (r) => process.stdout.write(formatCatalogBench(r) + '\n'),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
