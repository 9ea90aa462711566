/**
 * `npm run docs:tutorial`: refreshes the outputs shown in the tutorial (docs/tutorial/*.md) from real runs.
 *
 * In a page, an output block follows the commands that produce it:
 *
 *     ```bash
 *     npx runnable run examples/tutorial/02-making-it-reproducible.ts
 *     ```
 *
 *     <!-- output:ch2-run -->
 *     ```
 *     …replaced by what the commands above printed…
 *     ```
 *     <!-- /output -->
 *
 * For every page, in order, the script makes a scratch copy of the repository's root (links to examples/, lib/,
 * node_modules/, package.json, tsconfig.json…, a git repository of its own) so runs never touch your working
 * folder, then runs each block's commands there with bash, in page order (later commands see earlier runs),
 * exactly as written: `npx runnable` is this repository's bin/runnable.js and `npx tsc` its TypeScript (what
 * `npx` finds in a clone, without npx's start-up time). Options of the opening marker:
 *
 *   exit=N         the commands' last exit code must be N (default 0): a failing example is never shown as output
 *   head=N         keep the first N lines, then `…`
 *   setup=NAME     run a preparation first (below: scratch files a page asks the reader to write)
 *   json           the block is ```json
 *
 * Run ids, durations, timestamps, hashes and memory figures differ on every run: a block whose new output differs
 * from the page's only in those is left as it is, so a refresh changes only what really changed.
 *   --check        change nothing; exit 1 when a page's output is out of date (for CI)
 *   --only=04      only pages whose file name contains this
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const PAGES = path.join(ROOT, 'docs/tutorial');
/** How the scratch folder is shown in outputs: the reader's clone. */
const SHOWN_ROOT = '~/runnable-ts';

/** Entries of the repository root linked into each scratch copy (examples/ is rebuilt so scratch files stay there). */
const LINKED = ['package.json', 'package-lock.json', 'tsconfig.json', 'node_modules', 'lib', 'bin', 'scripts', 'schema', 'src', 'test', 'bench', 'jest.config.ts', '.gitignore'];

/** Preparations a marker can ask for: the edits a page tells the reader to make, applied to a scratch copy. */
const SETUPS: Record<string, (cwd: string) => void> = {
  /** Chapter 3: a parameter declared with the wrong type. */
  'ch3-wrong-type': (cwd) => edit(cwd, '03-adding-flexibility.ts', '03-wrong-type.ts', [['n_estimators: z.number().int().min(1).default(50),', "n_estimators: z.string().default('50'),"]]),
  /** Chapter 5: a step still reading chapter 4's in-memory `df`, and a catalog list written as a string. */
  'ch5-mistakes': (cwd) =>
    edit(cwd, '05-handling-datasets.ts', '05-mistakes.ts', [
      ["import { TrainedModel } from './04-connecting-workflow';", "import { Preprocess, TrainedModel } from './04-connecting-workflow';"],
      ['  .step(preprocess)\n', '  .step(Preprocess)\n'],
      ["catalog: { get: ['data/train.csv'] } },", "catalog: { get: 'data/train.csv' } },"],
    ]),
  /** Chapter 5: a `get` of a file name nobody puts. */
  'ch5-typo': (cwd) => edit(cwd, '05-handling-datasets.ts', '05-typo.ts', [["catalog: { get: ['data/train.csv'] } },", "catalog: { get: ['data/trian.csv'] } },"]]),
  /** Chapter 6: a metric that is not a number. */
  'ch6-metric': (cwd) => edit(cwd, '06-sharing-results.ts', '06-metric.ts', [['return { accuracy, precision, recall, f1 };', 'return { accuracy, precision: precision.toFixed(3), recall, f1 };']]),
  /** Chapter 7: the emulator with the default (file-system) run-log store. */
  'ch7-file-system': (cwd) => edit(cwd, 'configs/emulator.config.ts', 'configs/emulator-file-system.config.ts', [["  runLogStore: { type: 'chunked-fs', config: { log_folder: '.run_log_store' } }, // steps' processes write it\n  catalog: { type: 'file-system', config: { catalog_location: '.catalog' } },\n", '']]),
  /** Chapter 7: a misspelt executor type and store setting. */
  'ch7-typo': (cwd) => edit(cwd, 'configs/emulator.config.ts', 'configs/emulator-typo.config.ts', [["type: 'emulator'", "type: 'emulater'"], ["config: { log_folder: '.run_log_store' }", "config: { log_foldr: '.run_log_store' }"]]),
  /** Chapter 2: the function's return renamed, the declared returns not. */
  'ch2-renamed': (cwd) => edit(cwd, '01-starting-point.ts', '01-renamed.ts', [['return { accuracy: report.accuracy, report };', 'return { acc: report.accuracy, report };']], '02-making-it-reproducible.ts', '02-renamed.ts', [["from './01-starting-point'", "from './01-renamed'"]]),
};

/** Copies examples/tutorial/<from> to <to> with each [old, new] replacement applied (each must match once). */
function edit(cwd: string, from: string, to: string, changes: [string, string][], ...more: (string | [string, string][])[]): void {
  const dir = path.join(cwd, 'examples/tutorial');
  let text = fs.readFileSync(path.join(dir, from), 'utf8');
  for (const [a, b] of changes) {
    if (text.split(a).length !== 2) throw new Error(`setup: '${a}' must occur exactly once in ${from}`);
    text = text.replace(a, b);
  }
  fs.writeFileSync(path.join(dir, to), text);
  if (more.length) edit(cwd, more[0] as string, more[1] as string, more[2] as [string, string][], ...more.slice(3));
}

/** A scratch copy of the repository root, for one page. */
function scratch(): string {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-tutorial-'));
  for (const e of LINKED) if (fs.existsSync(path.join(ROOT, e))) fs.symlinkSync(path.join(ROOT, e), path.join(cwd, e));
  fs.mkdirSync(path.join(cwd, 'examples'));
  for (const e of fs.readdirSync(path.join(ROOT, 'examples'))) if (e !== 'tutorial') fs.symlinkSync(path.join(ROOT, 'examples', e), path.join(cwd, 'examples', e));
  // examples/tutorial and its folders are real folders of links, so the scratch files a page asks for stay here
  const mirror = (rel: string) => {
    fs.mkdirSync(path.join(cwd, rel));
    for (const e of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      if (e.isDirectory()) mirror(path.join(rel, e.name));
      else fs.symlinkSync(path.join(ROOT, rel, e.name), path.join(cwd, rel, e.name));
    }
  };
  mirror('examples/tutorial');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=tutorial', '-c', 'user.email=tutorial@example.com', ...args], { cwd, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'tutorial');
  return cwd;
}

/** Runs a bash block in `cwd`; returns what it printed (stdout and stderr, interleaved) and its last exit code. */
function runBlock(cwd: string, commands: string): { output: string; code: number } {
  const prelude = [
    `npx() { case "$1" in runnable) shift; node ${JSON.stringify(path.join(ROOT, 'bin/runnable.js'))} "$@";; tsc) shift; node ${JSON.stringify(path.join(ROOT, 'node_modules/typescript/bin/tsc'))} "$@";; *) command npx "$@";; esac; }`,
    'exec 2>&1',
  ].join('\n');
  const env: Record<string, string | undefined> = { ...process.env, CI: 'true', NO_COLOR: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('RUNNABLE_')) delete env[k];
  const r = spawnSync('bash', ['-c', `${prelude}\n${commands}`], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { output: r.stdout, code: r.status ?? 1 };
}

/**
 * The values that differ from run to run, masked, to tell a real change from a new run id or timing: run ids,
 * times, hashes, durations and sizes, `ls -l` lines, column widths and the order of lines.
 */
function masked(text: string): string {
  return text
    .replace(/\b[a-z]+-[a-z]+-\d{6}-[a-z0-9]{4}\b/g, '<run>')
    .replace(/\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?\b/g, '<time>')
    .replace(/\b\d{2}:\d{2}(:\d{2})?\b/g, '<clock>')
    .replace(/\b[0-9a-f]{10,64}\b/g, '<hash>')
    .replace(/\b\d+(\.\d+)?\s?(s|ms|MiB|KiB|GiB)\b/g, '<n>')
    .replace(/"(train_ms|duration_seconds|cpu_seconds|peak_rss_bytes)": \d+(\.\d+)?/g, '"$1": <n>')
    .replace(/^(total \d+|[-drwxl]{10} .*)$/gm, '<ls>')
    .replace(/─+/g, '─') // table columns are as wide as their longest value (a run id, a duration)
    .replace(/ {2,}/g, ' ')
    .split('\n')
    .sort() // listings sort generated run ids among the chosen ones
    .join('\n');
}

interface Block {
  name: string;
  options: Record<string, string>;
  /** Offsets of the block's content (between the markers) in the page. */
  start: number;
  end: number;
  commands: string;
}

const MARKER = /<!-- output:([\w-]+)((?: [\w]+(?:=[\w-]+)?)*) -->\n/g;

function blocksOf(page: string, file: string): Block[] {
  const blocks: Block[] = [];
  for (const m of page.matchAll(MARKER)) {
    const start = m.index! + m[0].length;
    const end = page.indexOf('<!-- /output -->', start);
    if (end < 0) throw new Error(`${file}: output ${m[1]} has no closing <!-- /output -->`);
    const before = page.slice(0, m.index!);
    const bash = [...before.matchAll(/```bash\n([\s\S]*?)```\n/g)].pop();
    if (!bash) throw new Error(`${file}: output ${m[1]} has no \`\`\`bash block before it`);
    const options = Object.fromEntries(
      m[2]!
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((o) => {
          const [k, v] = o.split('=');
          return [k!, v ?? 'true'];
        }),
    );
    blocks.push({ name: m[1]!, options, start, end, commands: bash[1]! });
  }
  return blocks;
}

function render(output: string, block: Block, cwd: string): string {
  let text = output.split(fs.realpathSync(cwd)).join(SHOWN_ROOT).split(cwd).join(SHOWN_ROOT).split(ROOT).join(SHOWN_ROOT).replace(/\s+$/, '');
  const head = block.options.head ? Number(block.options.head) : undefined;
  if (head !== undefined) {
    const lines = text.split('\n');
    if (lines.length > head) text = [...lines.slice(0, head), '…'].join('\n');
  }
  return '```' + (block.options.json ? 'json' : '') + '\n' + text + '\n```\n';
}

function main(): void {
  const check = process.argv.includes('--check');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  const stale: string[] = [];
  const pages = fs.readdirSync(PAGES).filter((f) => /^\d\d-.*\.md$/.test(f) && (!only || f.includes(only))).sort();
  for (const file of pages) {
    const full = path.join(PAGES, file);
    let page = fs.readFileSync(full, 'utf8');
    const blocks = blocksOf(page, file);
    if (!blocks.length) continue;
    const cwd = scratch();
    process.stdout.write(`${file}: ${blocks.length} outputs\n`);
    const replacements: { block: Block; text: string }[] = [];
    try {
      for (const block of blocks) {
        if (block.options.setup) {
          const setup = SETUPS[block.options.setup];
          if (!setup) throw new Error(`${file}: output ${block.name}: no setup named ${block.options.setup}`);
          setup(cwd);
        }
        const { output, code } = runBlock(cwd, block.commands);
        const expected = Number(block.options.exit ?? 0);
        if (code !== expected) throw new Error(`${file}: output ${block.name}: the commands exited ${code}, expected ${expected}\n${block.commands}\n${output}`);
        const text = render(output, block, cwd);
        const old = page.slice(block.start, block.end);
        if (masked(old) !== masked(text)) {
          replacements.push({ block, text });
          process.stdout.write(`  ${block.name}: changed\n`);
          if (process.env.TUTORIAL_OUTPUTS_DEBUG) process.stdout.write(`--- was (masked)\n${masked(old)}\n--- now (masked)\n${masked(text)}\n`);
        } else process.stdout.write(`  ${block.name}: unchanged\n`);
      }
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
    if (!replacements.length) continue;
    stale.push(...replacements.map((r) => `${file}: ${r.block.name}`));
    if (check) continue;
    for (const { block, text } of replacements.sort((a, b) => b.block.start - a.block.start)) page = page.slice(0, block.start) + text + page.slice(block.end);
    fs.writeFileSync(full, page);
  }
  if (check && stale.length) {
    process.stderr.write(`out of date (run npm run docs:tutorial):\n${stale.join('\n')}\n`);
    process.exitCode = 1;
  }
}

try {
  main();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
