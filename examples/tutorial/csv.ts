/**
 * Framework-independent file helpers for chapter 5 of the tutorial: the dataset as CSV files, written and read
 * one row at a time, so memory does not grow with the file (except where a caller keeps the rows).
 *
 * - `writeDatasetCsv`   the seeded dataset of ml.ts, streamed to a CSV file
 * - `splitCsv`          one pass over a CSV file: each row goes to the train or the test file (seeded)
 * - `readCsv`           the first `limit` rows of a CSV file as a Frame
 * - `forEachCsvBatch`   a CSV file in batches of rows (to predict on a file larger than memory)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { once } from 'node:events';
import { datasetRows, seededRandom, type DatasetOptions, type Frame } from './ml';

/** Writes lines to a file, waiting when the stream's buffer is full. */
async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = fs.createWriteStream(file);
  try {
    for (const line of lines) {
      if (!out.write(line + '\n')) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
}

function header(nFeatures: number): string {
  return [...Array.from({ length: nFeatures }, (_, j) => `f${j}`), 'label'].join(',');
}

/** Streams the seeded dataset (the rows of `makeDataset`) to `file` as CSV: f0,f1,…,label. Returns the row count. */
export async function writeDatasetCsv(file: string, opts: DatasetOptions = {}): Promise<number> {
  let rows = 0;
  function* lines() {
    yield header(opts.nFeatures ?? 4);
    for (const { row, label } of datasetRows(opts)) {
      rows++;
      yield `${row.join(',')},${label}`;
    }
  }
  await writeLines(file, lines());
  return rows;
}

/** The lines of a CSV file after its header, one at a time. */
async function* dataLines(file: string): AsyncGenerator<string> {
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let first = true;
  try {
    for await (const line of rl) {
      if (first) {
        first = false;
        continue;
      }
      if (line) yield line;
    }
  } finally {
    rl.close();
  }
}

function parse(line: string): { row: number[]; label: number } {
  const cells = line.split(',').map(Number);
  return { row: cells.slice(0, -1), label: cells[cells.length - 1]! };
}

/** One pass over `src`: each row goes to `testFile` with probability `testSize`, else to `trainFile` (seeded). */
export async function splitCsv(src: string, trainFile: string, testFile: string, testSize: number, seed = 42): Promise<{ trainRows: number; testRows: number }> {
  if (!(testSize > 0 && testSize < 1)) throw new Error(`testSize must be a number strictly between 0 and 1, got ${String(testSize)}`);
  const rand = seededRandom(seed);
  const firstLine = await new Promise<string>((resolve, reject) => {
    const rl = readline.createInterface({ input: fs.createReadStream(src) });
    rl.once('line', (l) => (rl.close(), resolve(l)));
    rl.once('error', reject);
    rl.once('close', () => resolve(''));
  });
  fs.mkdirSync(path.dirname(trainFile), { recursive: true });
  fs.mkdirSync(path.dirname(testFile), { recursive: true });
  const train = fs.createWriteStream(trainFile);
  const test = fs.createWriteStream(testFile);
  let trainRows = 0;
  let testRows = 0;
  try {
    train.write(firstLine + '\n');
    test.write(firstLine + '\n');
    for await (const line of dataLines(src)) {
      const toTest = rand() < testSize;
      const out = toTest ? test : train;
      if (toTest) testRows++;
      else trainRows++;
      if (!out.write(line + '\n')) await once(out, 'drain');
    }
  } finally {
    train.end();
    test.end();
    await Promise.all([once(train, 'close'), once(test, 'close')]);
  }
  return { trainRows, testRows };
}

/** The first `limit` rows of a CSV file (all of them without a limit); stops reading once it has them. */
export async function readCsv(file: string, limit = Infinity): Promise<Frame> {
  const features: number[][] = [];
  const labels: number[] = [];
  for await (const line of dataLines(file)) {
    if (labels.length >= limit) break;
    const { row, label } = parse(line);
    features.push(row);
    labels.push(label);
  }
  const featureNames = Array.from({ length: features[0]?.length ?? 0 }, (_, j) => `f${j}`);
  return { features, labels, featureNames };
}

/** Calls `fn` with batches of at most `batchSize` rows of a CSV file, in order; only one batch is in memory. */
export async function forEachCsvBatch(file: string, batchSize: number, fn: (rows: number[][], labels: number[]) => void): Promise<void> {
  let rows: number[][] = [];
  let labels: number[] = [];
  for await (const line of dataLines(file)) {
    const p = parse(line);
    rows.push(p.row);
    labels.push(p.label);
    if (rows.length === batchSize) {
      fn(rows, labels);
      rows = [];
      labels = [];
    }
  }
  if (rows.length) fn(rows, labels);
}
