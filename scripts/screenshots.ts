/**
 * `npm run screenshots`: refreshes the pictures of docs/observability.md from real runs.
 *
 * Runs the tutorial, the retry fixture and a 10,000-item map in a temp folder with the `runnable` CLI, writes their
 * HTML reports with `runnable report`, opens them in the Debian chromium (headless, playwright-core) and saves:
 *   docs/images/report-tutorial.png     the tutorial's report, the panel of step 'train' open
 *   docs/images/graph-tutorial.png      the tutorial's pipeline graph as drawn in the report
 *   docs/images/report-retries.png      retries: failed attempts hatched red, the first one's error in the panel
 *   docs/images/report-large-map.png    a map of 10,000 items (one failing): collapsed, the failed iteration open
 * Then it runs the tutorial twice more (test_size 0.3 and 0.4, tag bigger-test), starts `runnable ui` on a free port
 * and saves the runs browser:
 *   docs/images/ui-runs.png             the runs list
 *   docs/images/ui-run.png              the tutorial's run page, step 'train' open, its artifacts listed
 *   docs/images/ui-compare.png          the three tutorial runs compared: parameters, metrics and a chart per metric
 * Then the tutorial's chapter 6 (three runs of examples/tutorial/06-sharing-results.ts) in the runs browser:
 *   docs/images/tutorial-compare.png    the three runs compared: four metrics, a chart each
 * `npm run screenshots -- --only=tutorial` takes only that one.
 * Fails (exit 1) when chromium is missing or a page logs an error.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchBrowser, openFile, openUrl } from '../test/helpers/browser';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin/runnable.js');
const OUT = path.join(ROOT, 'docs/images');

function cli(cwd: string, args: string[], env: Record<string, string> = {}, okCodes = [0]): string {
  try {
    return execFileSync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, CI: 'true', ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    if (okCodes.includes(e.status)) return e.stdout;
    throw new Error(`runnable ${args.join(' ')} exited ${e.status}\n${e.stdout}\n${e.stderr}`);
  }
}

/** Starts `runnable ui` on a free port in `cwd`; resolves with the process and the address it printed. */
async function startUi(cwd: string): Promise<{ ui: ChildProcess; url: string }> {
  const ui = spawn(process.execPath, [BIN, 'ui', '--port', '0'], { cwd, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    ui.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    ui.once('exit', (code) => reject(new Error(`runnable ui exited ${code}: ${out}`)));
  });
  return { ui, url };
}

async function stopUi(ui: ChildProcess): Promise<void> {
  ui.kill('SIGINT');
  await new Promise((r) => (ui.exitCode === null ? ui.once('exit', r) : r(undefined)));
}

/**
 * docs/images/tutorial-compare.png (tutorial chapter 6): the three runs of examples/tutorial/06-sharing-results.ts
 * the chapter makes (5, 20 and 50 trees, tag `trees`), compared in the runs browser: four metrics, a chart each.
 */
async function tutorialShots(browser: Awaited<ReturnType<typeof launchBrowser>>, problems: string[]): Promise<void> {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-screenshots-tutorial-'));
  for (const n of ['5', '20', '50']) {
    cli(cwd, ['run', path.join(ROOT, 'examples/tutorial/06-sharing-results.ts'), '--run-id', `trees-${n}`, '--tag', 'trees', '--quiet'], { RUNNABLE_PRM_n_estimators: n });
  }
  const { ui, url } = await startUi(cwd);
  try {
    const opened = await openUrl(browser, url + 'compare?runs=trees-5,trees-20,trees-50');
    await opened.page.waitForTimeout(200);
    await opened.page.screenshot({ path: path.join(OUT, 'tutorial-compare.png'), fullPage: true });
    problems.push(...opened.problems.map((p) => `tutorial compare: ${p}`));
    await opened.page.close();
    process.stdout.write('wrote docs/images/tutorial-compare.png\n');
  } finally {
    await stopUi(ui);
  }
  fs.rmSync(cwd, { recursive: true, force: true });
}

async function main(): Promise<void> {
  if (process.argv.includes('--only=tutorial')) {
    const browser = await launchBrowser({ width: 1500, height: 950 });
    const problems: string[] = [];
    try {
      await tutorialShots(browser, problems);
    } finally {
      await browser.close();
    }
    if (problems.length) throw new Error(`the pages reported problems:\n${problems.join('\n')}`);
    return;
  }
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-screenshots-'));
  fs.mkdirSync(OUT, { recursive: true });
  process.stdout.write(`runs in ${cwd}\n`);
  cli(cwd, ['run', path.join(ROOT, 'examples/tutorial/04-connecting-workflow.ts'), '--run-id', 'tutorial-run', '--tag', 'baseline']);
  cli(cwd, ['run', path.join(ROOT, 'test/fixtures/pipelines/flaky.ts'), '--run-id', 'flaky-run']);
  cli(cwd, ['run', path.join(ROOT, 'test/fixtures/pipelines/big-map.ts'), '--run-id', 'map-10000', '--quiet'], { RUNNABLE_PRM_n: '10000' }, [1]);
  for (const id of ['tutorial-run', 'flaky-run', 'map-10000']) process.stdout.write(cli(cwd, ['report', id, '-o', `${id}.html`]));

  const browser = await launchBrowser({ width: 1500, height: 950 });
  const problems: string[] = [];
  try {
    const shot = async (id: string, act: (p: Awaited<ReturnType<typeof openFile>>['page']) => Promise<void>, file: string, element?: string) => {
      const opened = await openFile(browser, path.join(cwd, `${id}.html`));
      await act(opened.page);
      await opened.page.waitForTimeout(200);
      if (element) await opened.page.locator(element).screenshot({ path: path.join(OUT, file) });
      else await opened.page.screenshot({ path: path.join(OUT, file), fullPage: true });
      problems.push(...opened.problems.map((p) => `${id}: ${p}`));
      await opened.page.close();
      process.stdout.write(`wrote docs/images/${file}\n`);
    };
    await shot('tutorial-run', async (page) => page.locator('.glabel-cell', { hasText: 'train' }).click(), 'report-tutorial.png');
    await shot('tutorial-run', async () => undefined, 'graph-tutorial.png', 'svg.graph');
    await shot(
      'flaky-run',
      async (page) => {
        const row = await page.locator('.glabel-cell', { hasText: /^⚙ flaky$/ }).getAttribute('data-row');
        const bar = page.locator(`.bar[data-row="${row}"][data-attempt="0"]`);
        await bar.click();
        await page.locator(`.bar[data-row="${row}"][data-attempt="1"]`).hover();
      },
      'report-retries.png',
    );
    await shot(
      'map-10000',
      async (page) => {
        await page.locator('svg.graph .gnode[data-path="each.*.square"]').click();
      },
      'report-large-map.png',
    );

    // the runs browser, over the same store plus two more tutorial runs
    cli(cwd, ['run', path.join(ROOT, 'examples/tutorial/04-connecting-workflow.ts'), '--run-id', 'tutorial-test30', '--tag', 'bigger-test', '--quiet'], { RUNNABLE_PRM_test_size: '0.3' });
    cli(cwd, ['run', path.join(ROOT, 'examples/tutorial/04-connecting-workflow.ts'), '--run-id', 'tutorial-test40', '--tag', 'bigger-test', '--quiet'], { RUNNABLE_PRM_test_size: '0.4' });
    const { ui, url } = await startUi(cwd);
    try {
      const uiShot = async (at: string, act: (p: Awaited<ReturnType<typeof openUrl>>['page']) => Promise<void>, file: string) => {
        const opened = await openUrl(browser, url + at);
        await act(opened.page);
        await opened.page.waitForTimeout(200);
        await opened.page.screenshot({ path: path.join(OUT, file), fullPage: true });
        problems.push(...opened.problems.map((p) => `${at}: ${p}`));
        await opened.page.close();
        process.stdout.write(`wrote docs/images/${file}\n`);
      };
      await uiShot('', async () => undefined, 'ui-runs.png');
      await uiShot('runs/tutorial-run', async (page) => page.locator('.glabel-cell', { hasText: 'train' }).click(), 'ui-run.png');
      await uiShot('compare?runs=tutorial-run,tutorial-test30,tutorial-test40', async () => undefined, 'ui-compare.png');
    } finally {
      await stopUi(ui);
    }
    await tutorialShots(browser, problems);
  } finally {
    await browser.close();
  }
  if (problems.length) throw new Error(`the pages reported problems:\n${problems.join('\n')}`);
  fs.rmSync(cwd, { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
