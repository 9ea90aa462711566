/**
 * The HTML report as a person sees it: real runs of the examples, `runnable report`, the page opened in the Debian
 * chromium (headless, through playwright-core). Fails loudly when chromium is missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, ROOT, TUTORIAL, readRunLog, runnable, tmpDir } from '../helpers/cli';
import { assertChromium, expectedBars, launchBrowser, openFile, type Browser } from '../helpers/browser';
import type { RunLog } from '../../src/stores/run-log/types';
import { fmtBytes } from '../../src/report/model';

async function runAndReport(cwd: string, file: string, runId: string, args: string[] = [], code = 0, env: Record<string, string> = {}): Promise<{ log: RunLog; html: string }> {
  const run = await runnable(['run', file, '--run-id', runId, ...args], { cwd, env });
  if (run.code !== code) throw new Error(`${file} exited ${run.code}\n${run.stdout}\n${run.stderr}`);
  const rep = await runnable(['report', runId, '-o', `${runId}.html`], { cwd });
  if (rep.code !== 0) throw new Error(`report exited ${rep.code}\n${rep.stderr}`);
  expect(rep.stdout).toMatch(new RegExp(`^📊 Report of run ${runId} \\(\\d+ rows, \\d+ KiB\\): ${runId}\\.html\\n$`));
  return { log: readRunLog(cwd, runId), html: path.join(cwd, `${runId}.html`) };
}

it('without chromium the browser tests fail (beforeAll throws), saying which package to install', () => {
  expect(() => assertChromium('/nonexistent/chromium')).toThrow(
    "Chromium not found at /nonexistent/chromium. The report's browser tests need the Debian package 'chromium': apt-get update && apt-get install -y chromium",
  );
});

describe('the HTML report in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the tutorial: loads offline without errors, one bar per step, a click opens the step with its values', async () => {
    const cwd = tmpDir();
    const { log, html } = await runAndReport(cwd, TUTORIAL, 'br-tut');
    const text = fs.readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<script[^>]+src=|<link[^>]+href=|url\(\s*['"]?https?:|@import|fetch\(|XMLHttpRequest/);
    const { page, problems, requests } = await openFile(browser, html);
    expect(problems).toEqual([]);
    expect(requests).toEqual([`file://${html}`]);
    expect(await page.title()).toBe('Pipeline Timeline - br-tut');
    expect(await page.locator('#run-status').textContent()).toBe('SUCCESS');
    expect(await page.locator('#run-metrics').textContent()).toBe(`accuracy = ${log.parameters.accuracy!.value}`);
    expect(await page.locator('.bar').count()).toBe(expectedBars(log).total);
    expect(await page.locator('.bar.FAIL').count()).toBe(0);

    await page.locator('.bar[data-row="2"]').click();
    const panel = page.locator('#panel');
    expect(await panel.isVisible()).toBe(true);
    expect(await page.locator('#panel-title').textContent()).toBe('train');
    const train = log.steps.train!.attempts[0]!;
    const cells = await page.locator('#panel-attempts tr').nth(1).locator('td').allTextContents();
    expect(cells[1]).toBe('SUCCESS');
    expect(cells[4]).toBe(`${train.cpu_seconds!.toFixed(2)} s`);
    expect(cells[5]).toBe(fmtBytes(train.peak_rss_bytes!));
    const modelSize = fs.statSync(path.join(cwd, '.catalog', train.output_parameters.model_data!.catalog_relative_path!)).size;
    expect(await panel.textContent()).toContain(`model_datapickled model_data, ${fmtBytes(modelSize)}, sha256 ${train.output_parameters.model_data!.data_hash!.slice(0, 12)}…`);
    const put = log.steps.train!.data_catalog.find((c) => c.name === 'reports/training-summary.json')!;
    const catalogRow = await page.locator('#panel-catalog tr', { hasText: 'reports/training-summary.json' }).locator('td').allTextContents();
    expect(catalogRow).toEqual(['put', 'reports/training-summary.json', fmtBytes(fs.statSync(path.join(cwd, '.catalog', put.catalog_relative_path)).size), `${put.data_hash.slice(0, 12)}…`]);
    // preprocess printed a line: its execution log's tail is in its panel
    await page.locator('.glabel-cell[data-row="1"]').click();
    expect(await page.locator('#panel-title').textContent()).toBe('preprocess');
    expect(await page.locator('#panel-log').textContent()).toContain('split 600 rows: 480 train / 120 test');

    // the graph: every step green; a click on a graph node opens that step
    expect(await page.locator('svg.graph .gnode.ok').count()).toBe(5);
    await page.locator('svg.graph .gnode[data-path="evaluate"]').click();
    expect(await page.locator('#panel-title').textContent()).toBe('evaluate');
    expect(await panel.textContent()).toContain(`accuracy${log.parameters.accuracy!.value}`);
    await page.keyboard.press('Escape');
    expect(await panel.isVisible()).toBe(false);
    await page.close();
  });

  it('retries and a map: one bar per attempt and iteration, failed attempts visible, hover, zoom, the failed attempt\'s error', async () => {
    const cwd = tmpDir();
    const { log, html } = await runAndReport(cwd, path.join(FIXTURES, 'flaky.ts'), 'br-flaky');
    const { page, problems } = await openFile(browser, html);
    expect(problems).toEqual([]);
    const bars = expectedBars(log);
    expect(bars).toEqual({ total: 13, failed: 3 });
    expect(await page.locator('.bar').count()).toBe(bars.total);
    expect(await page.locator('.bar.FAIL').count()).toBe(bars.failed);
    expect(await page.locator('.glabel-cell', { hasText: 'Iteration' }).allTextContents()).toEqual(['▾Iteration 1', '▾Iteration 2', '▾Iteration 3']);

    const flakyRow = await page.locator('.glabel-cell', { hasText: /^⚙ flaky$/ }).getAttribute('data-row');
    const first = page.locator(`.bar[data-row="${flakyRow}"][data-attempt="0"]`);
    await first.hover();
    expect(await page.locator('#tip').textContent()).toMatch(/^flaky\nattempt 1 of 3: FAIL\n/);
    await first.click();
    expect(await page.locator('#panel-title').textContent()).toBe('flaky');
    expect(await page.locator('#panel-error').textContent()).toContain('Error: attempt 1: the service is not ready');
    expect(await page.locator('#panel-attempts tr').count()).toBe(4);
    expect(await page.locator('#panel').textContent()).toContain('retriesup to 3 attempts');

    const width = async () => (await first.boundingBox())!.width;
    const before = await width();
    await page.locator('#zoom-in').click();
    expect(await page.locator('#zoom-level').textContent()).toBe('2.0×');
    expect((await width()) / before).toBeCloseTo(2, 1);
    // the map node in the graph counts its iterations
    expect(await page.locator('svg.graph .gnode[data-path="each.*.square"] .gsub').textContent()).toMatch(/^3 ✓/);
    await page.close();
  });

  it('a failed run: the failed step red in the Gantt and the graph, its error in the panel', async () => {
    const cwd = tmpDir();
    const { html } = await runAndReport(cwd, path.join(ROOT, 'examples/02-sequential/default-fail.ts'), 'br-fail', [], 1);
    const { page, problems } = await openFile(browser, html);
    expect(problems).toEqual([]);
    expect(await page.locator('#run-status').textContent()).toBe('FAIL');
    expect(await page.locator('.bar.FAIL').count()).toBe(1);
    await page.locator('.bar.FAIL').click();
    expect(await page.locator('#panel-title').textContent()).toBe('step_2');
    expect(await page.locator('#panel-error').textContent()).toContain('Error: this step always fails');
    // red: the failed step and the `fail` terminal the run ended in; step_3 never ran (dashed)
    const paths = async (sel: string) => Promise.all((await page.locator(sel).all()).map((l) => l.getAttribute('data-path')));
    expect(await paths('svg.graph .gnode.fail')).toEqual(['step_2', 'fail']);
    expect(await paths('svg.graph .gnode.notrun')).toEqual(['step_3', 'success']);
    await page.close();
  });

  it('a map of 2,000 items: collapsed into one aggregated row, only the rows in view in the page, the failed iteration one click away', async () => {
    const cwd = tmpDir();
    const { log, html } = await runAndReport(cwd, path.join(FIXTURES, 'big-map.ts'), 'br-big', [], 1);
    expect(Object.keys(log.steps.each!.branches)).toHaveLength(2000);
    const { page, problems } = await openFile(browser, html);
    expect(problems).toEqual([]);
    expect(await page.locator('.glabel-cell').allTextContents()).toEqual(['⚙ items', '▸⇶ each', '✗ fail']);
    expect(await page.locator('.agg').textContent()).toMatch(/^2000 iterations, 1 failed, median [\d.]+ ms, max [\d.]+ m?s \(collapsed: click ▸\)$/);
    // a click on the failed node of the graph reveals the failed iteration
    await page.locator('svg.graph .gnode[data-path="each.*.square"]').click();
    expect(await page.locator('#panel-title').textContent()).toBe('square');
    expect(await page.locator('#panel .path').textContent()).toBe('each.7.square');
    expect(await page.locator('#panel-error').textContent()).toContain('item 7 is unlucky');
    expect(await page.locator('svg.graph .gnode[data-path="each.*.square"] .gsub').textContent()).toBe('1999 ✓ 1 ✗');
    // expanded: 4,000 rows, but only those in view are in the page
    const rowsShown = await page.evaluate('window.__report.visible()');
    expect(rowsShown).toBe(4003); // items, each, 2,000 × (iteration + square), fail
    const inDom = await page.locator('.grow').count();
    expect(inDom).toBeLessThan(80);
    // scrolled to the end: the last rows are drawn, still only those in view
    await page.evaluate("document.getElementById('gscroll').scrollTop = 1e9");
    await page.locator('.glabel-cell[title="fail"]').waitFor();
    expect(await page.locator('.grow').count()).toBeLessThan(80);
    expect(problems).toEqual([]);
    await page.close();
  });
});
