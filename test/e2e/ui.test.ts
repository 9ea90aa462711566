/**
 * `runnable ui`, the runs browser, as a person uses it: real runs of the examples in a temp folder, the real server
 * started by the CLI on an ephemeral port, HTTP requests (status codes, traversal attempts, loopback only) and the
 * Debian chromium (headless, playwright-core) on its pages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, FIXTURES, ROOT, TUTORIAL, readRunLog, runnable, tmpDir } from '../helpers/cli';
import { expectedBars, launchBrowser, openUrl, type Browser } from '../helpers/browser';
import type { RunLog } from '../../src/stores/run-log/types';

interface Ui {
  url: string;
  port: number;
  proc: ChildProcess;
  out: () => string;
  /** Ctrl-C; resolves with the exit code. */
  stop: () => Promise<number | null>;
}

/** Starts `runnable ui --port 0` in `cwd` and waits for the URL it prints. */
async function startUi(cwd: string, extra: string[] = []): Promise<Ui> {
  const env: Record<string, string | undefined> = { ...process.env, CI: 'true' };
  for (const k of Object.keys(env)) if (k.startsWith('RUNNABLE_')) delete env[k];
  const proc = spawn(process.execPath, [BIN, 'ui', '--port', '0', ...extra], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]!);
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`runnable ui exited ${code}:\n${out}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    proc,
    out: () => out,
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGINT');
      return exited;
    },
  };
}

/** A raw GET: the path is sent exactly as given (no client-side normalisation of `..`). */
function get(port: number, rawPath: string, opts: { method?: string; host?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: opts.method ?? 'GET', headers: { host: opts.host ?? `127.0.0.1:${port}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function run(cwd: string, file: string, runId: string, args: string[] = [], env: Record<string, string> = {}, code = 0): Promise<void> {
  const r = await runnable(['run', file, '--run-id', runId, '--quiet', ...args], { cwd, env });
  if (r.code !== code) throw new Error(`${file} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
}

const SECRET = 'secret-marker-7f3a9c';

describe('runnable ui', () => {
  const cwd = tmpDir('rt-ui-');
  let ui: Ui;
  let browser: Browser;
  const logs: Record<string, RunLog> = {};

  beforeAll(async () => {
    await run(cwd, TUTORIAL, 'tut-a', ['--tag', 'baseline']);
    await run(cwd, TUTORIAL, 'tut-b', ['--tag', 'bigger-test'], { RUNNABLE_PRM_test_size: '0.3' });
    await run(cwd, TUTORIAL, 'tut-c', ['--tag', 'bigger-test'], { RUNNABLE_PRM_test_size: '0.4' });
    await run(cwd, path.join(FIXTURES, 'flaky.ts'), 'flaky');
    await run(cwd, path.join(ROOT, 'examples/02-sequential/default-fail.ts'), 'failed', [], {}, 1);
    for (const id of ['tut-a', 'tut-b', 'tut-c', 'flaky', 'failed']) logs[id] = readRunLog(cwd, id);
    // files next to the store and catalog that no request may read
    fs.writeFileSync(path.join(cwd, 'secret.txt'), SECRET);
    fs.writeFileSync(path.join(cwd, '.catalog', 'secret.txt'), SECRET);
    ui = await startUi(cwd);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });

  it('prints its URL on 127.0.0.1 and listens on the loopback interface only', async () => {
    expect(ui.out()).toBe(`🔎 Runs browser of the file-system run-log store (.run_log_store): ${ui.url}\n   read-only, this machine only; Ctrl-C to stop\n`);
    // the kernel's table of listening TCP sockets: this port is bound to 127.0.0.1 (0100007F) and nothing else
    const hex = ui.port.toString(16).toUpperCase().padStart(4, '0');
    const listening = (file: string) =>
      fs.existsSync(file)
        ? fs.readFileSync(file, 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => f[1]?.endsWith(`:${hex}`) && f[3] === '0A').map((f) => f[1])
        : [];
    expect(listening('/proc/net/tcp')).toEqual([`0100007F:${hex}`]);
    expect(listening('/proc/net/tcp6')).toEqual([]);
    // and from any other address of this machine, nothing answers
    const others = Object.values(os.networkInterfaces()).flat().filter((i) => i && !i.internal && i.family === 'IPv4').map((i) => i!.address);
    for (const address of others) {
      const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
        const req = http.get({ host: address, port: ui.port, path: '/' }, () => resolve(undefined));
        req.on('error', (e) => resolve(e));
      });
      expect(err?.code).toBe('ECONNREFUSED');
    }
  });

  it('serves the pages and the JSON, with the same Content-Security-Policy spirit as the report', async () => {
    const home = await get(ui.port, '/');
    expect(home.status).toBe(200);
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(home.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; connect-src 'self'/);
    const html = home.body.toString();
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="(?!data:)|url\(\s*['"]?https?:|@import/);
    for (const id of Object.keys(logs)) expect(html).toContain(`href="/runs/${id}"`);
    const list = JSON.parse((await get(ui.port, '/api/runs')).body.toString()) as { runId: string; status: string }[];
    expect(list.map((r) => r.runId).sort()).toEqual(['failed', 'flaky', 'tut-a', 'tut-b', 'tut-c']);
    const one = await get(ui.port, '/api/runs/failed');
    expect(JSON.parse(one.body.toString())).toEqual({ runId: 'failed', status: 'FAIL', version: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect((await get(ui.port, '/runs/tut-a')).status).toBe(200);
    expect((await get(ui.port, '/compare?runs=tut-a,tut-b')).status).toBe(200);
    expect((await get(ui.port, '/runs/no-such-run')).status).toBe(404);
    expect((await get(ui.port, '/api/runs/no-such-run')).status).toBe(404);
    expect((await get(ui.port, '/nothing/here')).status).toBe(404);
    expect((await get(ui.port, '/compare')).status).toBe(400);
  });

  it('is read-only and answers for its own host name only', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await get(ui.port, '/', { method });
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe('GET, HEAD');
    }
    // a page of another site whose name resolves to 127.0.0.1 (DNS rebinding) is refused
    expect((await get(ui.port, '/api/runs', { host: 'evil.example' })).status).toBe(403);
    expect((await get(ui.port, '/api/runs', { host: `evil.example:${ui.port}` })).status).toBe(403);
    expect((await get(ui.port, '/api/runs', { host: `localhost:${ui.port}` })).status).toBe(200);
  });

  it('downloads artifacts the run log records: pickled values as their stored file, catalog files as bytes', async () => {
    const model = logs['tut-a']!.parameters.model_data!.catalog_relative_path!;
    const r = await get(ui.port, '/runs/tut-a/artifacts/train/model_data.superjson');
    expect(model).toBe('tut-a/train/model_data.superjson');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['content-disposition']).toBe(`attachment; filename="model_data.superjson"; filename*=UTF-8''model_data.superjson`);
    expect(r.body.equals(fs.readFileSync(path.join(cwd, '.catalog', model)))).toBe(true);
    const md = await get(ui.port, '/runs/tut-a/artifacts/reports/model-report.md');
    expect(md.body.equals(fs.readFileSync(path.join(cwd, '.catalog/tut-a/reports/model-report.md')))).toBe(true);
    const head = await get(ui.port, '/runs/tut-a/artifacts/reports/model-report.md', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(md.body.length));
    // a file that is in the catalog folder but not recorded by the run log is not served
    fs.writeFileSync(path.join(cwd, '.catalog/tut-a/unrecorded.txt'), SECRET);
    expect((await get(ui.port, '/runs/tut-a/artifacts/unrecorded.txt')).status).toBe(404);
  });

  it('refuses traversal attempts: run ids validated as the CLI does, catalog paths matched against the run log only', async () => {
    const attempts: [string, number][] = [
      ['/runs/..%2F..%2Fetc%2Fpasswd', 400],
      ['/runs/..%2Fsecret.txt', 400],
      ['/runs/%2E%2E', 400],
      ['/runs/.run_log_store', 400],
      ['/runs/%2Fetc%2Fpasswd', 400],
      ['/runs/C:%5Cwindows', 400],
      ['/api/runs/..%2F..%2Fsecret', 400],
      ['/runs/tut-a%00/artifacts/train/model_data.superjson', 400],
      ['/runs/tut-a/artifacts/train%00/model_data.superjson', 400],
      ['/runs/tut-a/artifacts/train/model_data.superjson%00.txt', 400],
      ['/runs/tut-a/artifacts/..%2F..%2Fsecret.txt', 400],
      ['/runs/tut-a/artifacts/..%2Fsecret.txt', 400],
      ['/runs/tut-a/artifacts/../secret.txt', 400],
      ['/runs/tut-a/artifacts/../../../secret.txt', 400],
      ['/runs/tut-a/artifacts/%2e%2e/%2e%2e/secret.txt', 400],
      ['/runs/tut-a/artifacts/%2Fetc%2Fpasswd', 404],
      ['/runs/tut-a/artifacts/%2F..%2Fsecret.txt', 400],
      ['/runs/tut-a/artifacts/reports%2F..%2F..%2Fsecret.txt', 400],
      ['/runs/tut-a/artifacts/%2Fsecret.txt', 404],
      ['/runs/tut-a/artifacts//etc/passwd', 404],
      ['/runs/tut-a/artifacts/%5C..%5C..%5Csecret.txt', 400],
      ['/runs/tut-a/artifacts/%E0%A4%A', 400],
      ['/compare?runs=tut-a,..%2F..%2Fsecret', 400],
      ['/compare?runs=tut-a,%2Fetc%2Fpasswd', 400],
    ];
    const got: [string, number][] = [];
    for (const [p] of attempts) {
      const r = await get(ui.port, p);
      got.push([p, r.status]);
      expect(r.body.toString()).not.toContain(SECRET);
      expect(r.body.toString()).not.toContain('root:x:0:0');
    }
    expect(got).toEqual(attempts);
  });

  it('a run log that records paths outside its run (edited by hand) offers and serves none of them', async () => {
    const log = JSON.parse(fs.readFileSync(path.join(cwd, '.run_log_store/tut-a.json'), 'utf8').replace(/"tut-a\//g, '"tampered/')) as RunLog;
    log.run_id = 'tampered';
    log.parameters.model_data!.catalog_relative_path = 'tampered/../../secret.txt';
    log.steps.train!.data_catalog = [
      { name: 'x', data_hash: '', catalog_relative_path: 'tut-b/reports/model-report.md', catalog_handler_location: '', stage: 'put' },
      { name: 'y', data_hash: '', catalog_relative_path: '/etc/passwd', catalog_handler_location: '', stage: 'put' },
      { name: 'z', data_hash: '', catalog_relative_path: 'tampered/reports/..\\..\\..\\secret.txt', catalog_handler_location: '', stage: 'put' },
    ];
    fs.writeFileSync(path.join(cwd, '.run_log_store/tampered.json'), JSON.stringify(log));
    try {
      const page = (await get(ui.port, '/runs/tampered')).body.toString();
      const links = [...page.matchAll(/class="artifact" download href="([^"]+)"/g)].map((m) => m[1]);
      expect(links).toEqual(['/runs/tampered/artifacts/load_data/df.superjson', '/runs/tampered/artifacts/preprocess/attempt-1.execution.log', '/runs/tampered/artifacts/preprocess/preprocessed_data.superjson', '/runs/tampered/artifacts/reports/model-report.md', '/runs/tampered/artifacts/reports/training-summary.json', '/runs/tampered/artifacts/train/model_data.superjson']);
      expect(page).not.toContain('secret.txt');
      expect(page).not.toContain('/etc/passwd');
      for (const p of ['/runs/tampered/artifacts/..%2F..%2Fsecret.txt', '/runs/tampered/artifacts/%2Fetc%2Fpasswd', '/runs/tampered/artifacts/..%2F..%2Fsecret.txt', '/runs/tampered/artifacts/reports/..%5C..%5C..%5Csecret.txt', '/runs/tampered/artifacts/tut-b/reports/model-report.md']) {
        const r = await get(ui.port, p);
        expect([400, 404]).toContain(r.status);
        expect(r.body.toString()).not.toContain(SECRET);
      }
    } finally {
      fs.rmSync(path.join(cwd, '.run_log_store/tampered.json'));
    }
  });

  it('the runs list in a browser: loads without errors, filters by status, tag and pipeline, sorts by a metric, links to runs', async () => {
    const { page, problems, requests } = await openUrl(browser, ui.url);
    expect(problems).toEqual([]);
    expect(requests).toEqual([ui.url]);
    expect(await page.title()).toBe('Runs - runnable-ts');
    const shownIds = () => page.locator('#runs tbody tr:not([hidden])').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-run')!));
    expect(await shownIds()).toHaveLength(5);
    // key metrics as columns
    expect(await page.locator('#runs thead th').allTextContents()).toEqual(['', 'run', 'pipeline', 'status', 'tag', 'started', 'duration', 'accuracy', 'total']);
    const accA = logs['tut-a']!.parameters.accuracy!.value as number;
    expect(await page.locator('tr[data-run="tut-a"] td').nth(7).textContent()).toBe(String(Number(accA.toPrecision(6))));

    await page.selectOption('#f-status', 'FAIL');
    expect(await shownIds()).toEqual(['failed']);
    expect(page.url()).toBe(`${ui.url}?status=FAIL`);
    await page.selectOption('#f-status', '');
    await page.selectOption('#f-tag', 'bigger-test');
    expect((await shownIds()).sort()).toEqual(['tut-b', 'tut-c']);
    await page.selectOption('#f-tag', '');
    await page.selectOption('#f-pipeline', logs.flaky!.run_config.pipeline_name as string);
    expect(await shownIds()).toEqual(['flaky']);
    await page.selectOption('#f-pipeline', '');
    expect(await page.locator('#shown').textContent()).toBe('5 of 5 shown');

    // sort by accuracy: ascending, then descending; runs without it last
    const byAcc = ['tut-a', 'tut-b', 'tut-c'].sort((x, y) => (logs[x]!.parameters.accuracy!.value as number) - (logs[y]!.parameters.accuracy!.value as number));
    await page.locator('#runs th', { hasText: 'accuracy' }).click();
    expect((await shownIds()).slice(0, 3)).toEqual(byAcc);
    await page.locator('#runs th', { hasText: 'accuracy' }).click();
    expect((await shownIds()).slice(0, 3)).toEqual([...byAcc].reverse());

    // a filter given in the URL applies on load
    await page.goto(`${ui.url}?tag=baseline`);
    expect(await shownIds()).toEqual(['tut-a']);
    await page.locator('a[href="/runs/tut-a"]').click();
    await page.waitForURL(`${ui.url}runs/tut-a`);
    expect(await page.locator('#run-status').textContent()).toBe('SUCCESS');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a run page: the report\'s components, one bar per step, iteration and attempt, the panel on click', async () => {
    const { page, problems } = await openUrl(browser, `${ui.url}runs/flaky`);
    expect(problems).toEqual([]);
    expect(await page.title()).toBe('flaky - runnable-ts');
    expect(await page.locator('.bar').count()).toBe(expectedBars(logs.flaky!).total);
    expect(await page.locator('.bar.FAIL').count()).toBe(3);
    const row = await page.locator('.glabel-cell', { hasText: /^⚙ flaky$/ }).getAttribute('data-row');
    await page.locator(`.bar[data-row="${row}"][data-attempt="0"]`).click();
    expect(await page.locator('#panel-title').textContent()).toBe('flaky');
    expect(await page.locator('#panel-error').textContent()).toContain('attempt 1: the service is not ready');
    expect(await page.locator('svg.graph .gnode').count()).toBeGreaterThan(0);
    // a finished run is not polled
    expect(await page.locator('#live').count()).toBe(0);
    // the failed example: its failed step red
    const failed = await openUrl(browser, `${ui.url}runs/failed`);
    expect(failed.problems).toEqual([]);
    expect(await failed.page.locator('#run-status').textContent()).toBe('FAIL');
    expect(await failed.page.locator('.bar').count()).toBe(expectedBars(logs.failed!).total);
    expect(await failed.page.locator('.bar.FAIL').count()).toBe(1);
    await failed.page.close();
    await page.close();
  });

  it('an artifact downloads from a run page with its bytes', async () => {
    const { page, problems } = await openUrl(browser, `${ui.url}runs/tut-a`);
    const links = await page.locator('a.artifact').allTextContents();
    expect(links).toEqual(['load_data/df.superjson', 'preprocess/attempt-1.execution.log', 'preprocess/preprocessed_data.superjson', 'reports/model-report.md', 'reports/training-summary.json', 'train/model_data.superjson']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a.artifact', { hasText: 'reports/model-report.md' }).click()]);
    expect(download.suggestedFilename()).toBe('model-report.md');
    const saved = path.join(cwd, 'downloaded.md');
    await download.saveAs(saved);
    expect(fs.readFileSync(saved).equals(fs.readFileSync(path.join(cwd, '.catalog/tut-a/reports/model-report.md')))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('compare: runs picked in the list, parameters and metrics side by side, differences marked, one chart point per run', async () => {
    const { page, problems } = await openUrl(browser, ui.url);
    for (const id of ['tut-a', 'tut-b', 'tut-c']) await page.locator(`input.pick[value="${id}"]`).check();
    await page.locator('#compare').click();
    await page.waitForURL(`${ui.url}compare?runs=${['tut-a', 'tut-b', 'tut-c'].join(',')}`);
    expect(problems).toEqual([]);
    const ids = (await page.locator('#cmp-runs tr').first().locator('th').allTextContents()).filter(Boolean);
    expect(ids).toEqual(['tut-a', 'tut-b', 'tut-c']);
    // test_size differs (0.3, 0.4, and the default for tut-a, which records none)
    const ts = page.locator('#cmp-parameters tr[data-name="test_size"]');
    expect(await ts.getAttribute('class')).toBe('diff');
    expect(await ts.locator('td').allTextContents()).toEqual(['≠', '-', '0.3', '0.4']);
    const acc = ['tut-a', 'tut-b', 'tut-c'].map((id) => logs[id]!.parameters.accuracy!.value as number);
    const accRow = page.locator('#cmp-metrics tr[data-name="accuracy"]');
    expect(await accRow.getAttribute('class')).toBe(new Set(acc).size > 1 ? 'diff' : 'same');
    // the chart: one point per run, at the run's value, the highest green
    const points = page.locator('.chart[data-metric="accuracy"] circle.point');
    expect(await points.count()).toBe(3);
    expect(await points.evaluateAll((cs) => cs.map((c) => [c.getAttribute('data-run'), Number(c.getAttribute('data-value'))]))).toEqual([['tut-a', acc[0]], ['tut-b', acc[1]], ['tut-c', acc[2]]]);
    if (new Set(acc).size > 1) expect(await page.locator('.chart[data-metric="accuracy"] circle.point.max').getAttribute('data-run')).toBe(['tut-a', 'tut-b', 'tut-c'][acc.indexOf(Math.max(...acc))]);
    await page.close();
  });

  it('a run in progress: its page refreshes itself until the run ends, then stops polling', async () => {
    const live = tmpDir('rt-ui-live-');
    const env: Record<string, string | undefined> = { ...process.env, CI: 'true' };
    for (const k of Object.keys(env)) if (k.startsWith('RUNNABLE_')) delete env[k];
    const child = spawn(process.execPath, [BIN, 'run', path.join(FIXTURES, 'gated.ts'), '--run-id', 'gated', '--quiet'], { cwd: live, env, stdio: 'ignore' });
    const done = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const liveUi = await startUi(live);
    try {
      while (!fs.existsSync(path.join(live, 'started'))) await new Promise((r) => setTimeout(r, 50));
      const { page, problems } = await openUrl(browser, `${liveUi.url}runs/gated`);
      expect(await page.locator('#run-status').textContent()).toBe('PROCESSING');
      expect(await page.locator('#live').textContent()).toBe('● live: the run is in progress; this page refreshes when its run log changes');
      expect(await page.locator('.glabel-cell').allTextContents()).toEqual(['⚙ first', '⚙ wait']);
      fs.writeFileSync(path.join(live, 'go'), '');
      expect(await done).toBe(0);
      await page.locator('#run-status', { hasText: 'SUCCESS' }).waitFor({ timeout: 30_000 });
      expect(await page.locator('#live').count()).toBe(0);
      expect(await page.locator('.bar').count()).toBe(expectedBars(readRunLog(live, 'gated')).total);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      if (child.exitCode === null) child.kill();
      await liveUi.stop();
    }
  });

  it('a taken port or a wrong --port is a usage error (exit 2) that says what to do', async () => {
    const taken = await runnable(['ui', '--port', String(ui.port)], { cwd });
    expect(taken).toEqual({ code: 2, stdout: '', stderr: `error: Port ${ui.port} on 127.0.0.1 is in use; choose another with --port <n> (0 picks a free one).\n` });
    const wrong = await runnable(['ui', '--port', '70000'], { cwd });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("--port must be a whole number from 0 to 65535, got '70000'");
  });

  it('Ctrl-C stops the server cleanly', async () => {
    const other = await startUi(cwd);
    expect(await other.stop()).toBe(0);
    expect(other.out()).toMatch(/⏹ {2}Runs browser stopped \(SIGINT\)\.\n$/);
    await expect(get(other.port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
