/**
 * Framework-independent ML helpers for the tutorial pipeline.
 *
 * Plain functions and plain data only: nothing here knows about runnable-ts, so the
 * pipeline steps stay thin wrappers and this module can be unit-tested on its own.
 *
 * - `makeDataset`      seeded synthetic binary classification data (two Gaussian classes);
 *                      `datasetRows` yields the same rows one at a time
 * - `trainTestSplit`   seeded shuffle + split
 * - `trainForest`      fits an `ml-random-forest` RandomForestClassifier
 * - `accuracy`, `classificationReport`   evaluation (report is plain JSON)
 * - `serializeForest` / `deserializeForest`   round-trip via the library's toJSON()/load()
 */
import { RandomForestClassifier } from 'ml-random-forest';

export type Frame = { features: number[][]; labels: number[]; featureNames: string[] };

export type Split = { xTrain: number[][]; yTrain: number[]; xTest: number[][]; yTest: number[] };

export type Confusion = { tp: number; fp: number; tn: number; fn: number };

export type ClassificationReport = { accuracy: number; confusion: Confusion; nTest: number };

export type DatasetOptions = { nSamples?: number; nFeatures?: number; seed?: number };

// ---------------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------------

/** mulberry32: a tiny, fast 32-bit PRNG. Returns floats in [0, 1). Same seed → same stream. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sampler (Box–Muller), caching the second value of each pair. */
function gaussian(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand(); // avoid log(0)
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

function assertInt(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got ${String(value)}`);
  }
}

function assertSeed(seed: number): void {
  // ml-random-forest seeds a Mersenne Twister and requires a 32-bit integer.
  if (!Number.isInteger(seed) || seed < -0x80000000 || seed > 0xffffffff) {
    throw new Error(`seed must be a 32-bit integer, got ${String(seed)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

/**
 * Class separation per feature: feature j's class means differ by max(0, 2.0 - 0.5·j) standard
 * deviations, so with 4 features the signal is 2.0 / 1.5 / 1.0 / 0.5 and any further features are
 * pure noise. The Bayes-optimal accuracy for the default 4 features is about 0.91, so a random
 * forest lands around 0.85–0.92 rather than a suspicious 1.0.
 */
function separation(j: number): number {
  return Math.max(0, 2.0 - 0.5 * j);
}

/**
 * Seeded synthetic binary classification dataset: labels are 0/1 (fair coin per row), features are
 * independent unit-variance Gaussians centred at ±separation(j)/2 depending on the label.
 */
export function makeDataset(opts: DatasetOptions = {}): Frame {
  const { nFeatures = 4 } = opts;
  const features: number[][] = [];
  const labels: number[] = [];
  for (const { row, label } of datasetRows(opts)) {
    features.push(row);
    labels.push(label);
  }
  const featureNames = Array.from({ length: nFeatures }, (_, j) => `f${j}`);
  return { features, labels, featureNames };
}

/**
 * The rows of {@link makeDataset}, one at a time (same seed, same rows), for datasets too large to build in
 * memory: write them to a file as they come.
 */
export function* datasetRows(opts: DatasetOptions = {}): Generator<{ row: number[]; label: number }> {
  const { nSamples = 600, nFeatures = 4, seed = 42 } = opts;
  assertInt('nSamples', nSamples, 2);
  assertInt('nFeatures', nFeatures, 1);
  assertSeed(seed);

  const rand = mulberry32(seed);
  const normal = gaussian(rand);
  for (let i = 0; i < nSamples; i++) {
    const y = rand() < 0.5 ? 0 : 1;
    const sign = y === 1 ? 1 : -1;
    const row: number[] = [];
    for (let j = 0; j < nFeatures; j++) row.push((sign * separation(j)) / 2 + normal());
    yield { row, label: y };
  }
}

/** A seeded stream of floats in [0, 1) (the PRNG behind the dataset and the split). */
export function seededRandom(seed: number): () => number {
  assertSeed(seed);
  return mulberry32(seed);
}

/** Seeded Fisher–Yates shuffle of the rows, then the first round(n·testSize) rows become the test set. */
export function trainTestSplit(df: Frame, testSize: number, seed = 42): Split {
  if (typeof testSize !== 'number' || !Number.isFinite(testSize) || testSize <= 0 || testSize >= 1) {
    throw new Error(`testSize must be a number strictly between 0 and 1, got ${String(testSize)}`);
  }
  assertSeed(seed);
  const n = df.features.length;
  if (df.labels.length !== n) {
    throw new Error(`features has ${n} rows but labels has ${df.labels.length}`);
  }
  const nTest = Math.round(n * testSize);
  if (nTest < 1 || nTest > n - 1) {
    throw new Error(`testSize ${testSize} on ${n} rows leaves an empty train or test set`);
  }

  const order = Array.from({ length: n }, (_, i) => i);
  const rand = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const take = (idx: number[]) => ({
    x: idx.map((i) => df.features[i].slice()),
    y: idx.map((i) => df.labels[i]),
  });
  const test = take(order.slice(0, nTest));
  const train = take(order.slice(nTest));
  return { xTrain: train.x, yTrain: train.y, xTest: test.x, yTest: test.y };
}

// ---------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------

/**
 * Fit a random forest on the training part of `split`.
 *
 * ml-random-forest bags rows (useSampleBagging) and picks one random feature subset per tree
 * (maxFeatures 1.0 = as many draws as there are features, with replacement), both driven by `seed`.
 * Out-of-bag predictions are switched off (noOOB) because nothing here uses them and they cost
 * training time.
 */
export function trainForest(split: Split, nEstimators: number, seed = 42): RandomForestClassifier {
  assertInt('nEstimators', nEstimators, 1);
  assertSeed(seed);
  if (split.xTrain.length === 0 || split.xTrain.length !== split.yTrain.length) {
    throw new Error(
      `xTrain (${split.xTrain.length} rows) and yTrain (${split.yTrain.length}) must be non-empty and equal length`,
    );
  }
  const model = new RandomForestClassifier({
    nEstimators,
    seed,
    maxFeatures: 1.0,
    replacement: true,
    useSampleBagging: true,
    noOOB: true,
  });
  model.train(split.xTrain, split.yTrain);
  return model;
}

export function accuracy(model: RandomForestClassifier, xs: number[][], ys: number[]): number {
  if (xs.length === 0 || xs.length !== ys.length) {
    throw new Error(`xs (${xs.length} rows) and ys (${ys.length}) must be non-empty and equal length`);
  }
  const pred = model.predict(xs);
  let correct = 0;
  for (let i = 0; i < ys.length; i++) if (pred[i] === ys[i]) correct++;
  return correct / ys.length;
}

/** Test-set accuracy and confusion counts, with label 1 as the positive class. Plain JSON. */
export function classificationReport(model: RandomForestClassifier, split: Split): ClassificationReport {
  const { xTest, yTest } = split;
  if (xTest.length === 0 || xTest.length !== yTest.length) {
    throw new Error(`xTest (${xTest.length} rows) and yTest (${yTest.length}) must be non-empty and equal length`);
  }
  const pred = model.predict(xTest);
  const confusion: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < yTest.length; i++) {
    const actual = yTest[i] === 1;
    const predicted = pred[i] === 1;
    if (predicted && actual) confusion.tp++;
    else if (predicted) confusion.fp++;
    else if (actual) confusion.fn++;
    else confusion.tn++;
  }
  return {
    accuracy: (confusion.tp + confusion.tn) / yTest.length,
    confusion,
    nTest: yTest.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Persistence
// ---------------------------------------------------------------------------------------------

/**
 * The library's toJSON() returns live objects (tree nodes, ml-matrix instances); round-tripping
 * through JSON text turns that into plain JSON data that can be stored and compared.
 * Note: tree options such as maxDepth=Infinity become null; they only matter for training.
 */
export function serializeForest(model: RandomForestClassifier): unknown {
  return JSON.parse(JSON.stringify(model.toJSON())) as unknown;
}

/** Inverse of serializeForest; also accepts the JSON text itself. */
export function deserializeForest(json: unknown): RandomForestClassifier {
  const data: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  if (
    typeof data !== 'object' ||
    data === null ||
    (data as { name?: unknown }).name !== 'RFClassifier' ||
    typeof (data as { baseModel?: unknown }).baseModel !== 'object'
  ) {
    throw new Error('deserializeForest: not a serialized RandomForestClassifier (expected name "RFClassifier")');
  }
  return RandomForestClassifier.load(data as Parameters<typeof RandomForestClassifier.load>[0]);
}
