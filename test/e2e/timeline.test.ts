import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, ROOT, TUTORIAL, readRunLog, runnable, tmpDir } from '../helpers/cli';
import { fmtBytes } from '../../src/report/model';

const EX = path.join(ROOT, 'examples');

async function runIn(cwd: string, file: string, runId: string, args: string[] = [], code = 0): Promise<void> {
  const out = await runnable(['run', file, '--run-id', runId, ...args], { cwd });
  if (out.code !== code) throw new Error(`${file} exited ${out.code}\n${out.stdout}\n${out.stderr}`);
}

async function timeline(cwd: string, runId: string, ...args: string[]): Promise<string> {
  const out = await runnable(['timeline', runId, ...args], { cwd });
  if (out.code !== 0) throw new Error(`timeline exited ${out.code}\n${out.stderr}`);
  return out.stdout;
}

describe('runnable timeline (real runs of the examples)', () => {
  it('the tutorial: steps in start order with duration, CPU, memory, inputs, pickled outputs by name and size, catalog files', async () => {
    const cwd = tmpDir();
    await runIn(cwd, TUTORIAL, 'tl-tut', [], 0);
    const text = await timeline(cwd, 'tl-tut');
    const log = readRunLog(cwd, 'tl-tut');
    expect(text.split('\n')[0]).toBe('🔄 Pipeline Timeline - tl-tut (connecting-workflow)');
    expect(text).toMatch(/^Status: ✅ SUCCESS {3}started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d {3}active \d+\.\ds$/m);
    const order = ['load_data', 'preprocess', 'train', 'evaluate', 'success'].map((s) => text.search(new RegExp(`^  \\S+ ✅ ${s} \\(`, 'm')));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toMatch(/^ {2}⚙️ ✅ train \([\d.]+m?s\) {2}cpu \d+\.\d\ds · peak \d+\.\d MiB$/m);
    expect(text).toContain('     📝 TYPESCRIPT: Train.run');
    const dfSize = fs.statSync(path.join(cwd, '.catalog', log.parameters.df!.catalog_relative_path!)).size;
    expect(text).toContain(`     📤 df=<pickled df, ${fmtBytes(dfSize)}>`);
    expect(text).toContain(`     📥 df=<pickled df, ${fmtBytes(dfSize)}>`);
    const accuracy = log.parameters.accuracy!.value as number;
    expect(text).toContain(`📤 accuracy=${accuracy} • report={`);
    const reportSize = fs.statSync(path.join(cwd, '.catalog/tl-tut/reports/model-report.md')).size;
    expect(text).toContain(`     💾 PUT:reports/model-report.md (${fmtBytes(reportSize)}) • GET:reports/training-summary.json (`);
  });

  it('a map: every iteration with its steps, in start order; --max-iterations summarises the rest', async () => {
    const cwd = tmpDir();
    await runIn(cwd, path.join(EX, '07-map/map.ts'), 'tl-map', ['--params', path.join(EX, '03-parameters/initial-parameters.yaml')]);
    const text = await timeline(cwd, 'tl-map');
    expect(text).toMatch(/^ {2}🔁 ✅ map_state \(map, 3 iterations, [\d.]+m?s\)$/m);
    for (const i of [1, 2, 3]) {
      expect(text).toMatch(new RegExp(`^ {4}├─ Iteration ${i} ✅ \\([\\d.]+m?s\\)$`, 'm'));
      expect(text).toContain(`📥 chunk=${i}\n`);
      expect(text).toContain(`📤 processed_shell=${i * 1000}\n`);
    }
    expect(text.match(/^ {8}⚙️ ✅ execute_shell /gm)).toHaveLength(3);
    expect(text).toContain('           📝 SHELL: export processed_shell=$((processed_ts * 10))');
    // iterations are listed in the order they started
    const log = readRunLog(cwd, 'tl-map');
    // the branch's span starts with its first step: stable sort of the run-log order by that start time
    const starts = Object.values(log.steps.map_state!.branches).map((b) => [b.internal_name.split('.')[1]!, b.steps[`${b.internal_name}.execute_python`]!.attempts[0]!.start_time] as const);
    const expected = [...starts].sort((a, b) => a[1].localeCompare(b[1])).map(([k]) => k);
    expect([...text.matchAll(/├─ Iteration (\S+)/g)].map((m) => m[1])).toEqual(expected);
    const short = await timeline(cwd, 'tl-map', '--max-iterations', '1');
    expect(short.match(/├─ Iteration/g)).toHaveLength(1);
    expect(short).toContain('    └─ … 2 more (2 ✅, 0 ❌); all of them: runnable timeline tl-map');
  });

  it('retries: every attempt with its status and duration, the first line of each failed attempt', async () => {
    const cwd = tmpDir();
    await runIn(cwd, path.join(FIXTURES, 'flaky.ts'), 'tl-flaky');
    const text = await timeline(cwd, 'tl-flaky');
    expect(text).toMatch(/^ {5}🔄 Succeeded after 3\/3 attempts: #1 ❌ [\d.]+m?s, #2 ❌ [\d.]+m?s, #3 ✅ [\d.]+m?s$/m);
    expect(text).toContain('        attempt 1: Error: attempt 1: the service is not ready\n        attempt 2: Error: attempt 2: the service is not ready\n');
    expect(text).toMatch(/ {11}🔄 Succeeded after 2\/2 attempts: #1 ❌ [\d.]+m?s, #2 ✅ [\d.]+m?s\n {14}attempt 1: Error: item 2: first try always fails\n/);
    expect(text).not.toContain('second line of the error');
    expect(text).toMatch(/📤 total=14\n {5}💾 PUT:summary\.txt \(18 B\)/);
  });

  it('a failed run: the failed step with the first line of its error; the terminal fail node', async () => {
    const cwd = tmpDir();
    await runIn(cwd, path.join(EX, '02-sequential/default-fail.ts'), 'tl-fail', [], 1);
    const text = await timeline(cwd, 'tl-fail');
    expect(text).toMatch(/^Status: ❌ FAIL /m);
    expect(text).toMatch(/^ {2}⚙️ ❌ step_2 \([\d.]+m?s\)  cpu [\d.]+s · peak [\d.]+ MiB\n {5}📥 prepared=true\n {5}💥 Error: Error: this step always fails$/m);
    expect(text).toMatch(/^ {2}❌ ✅ fail \(/m);
  });

  it('runnable report -o - writes one self-contained page to stdout (no external script, style or font)', async () => {
    const cwd = tmpDir();
    await runIn(cwd, path.join(EX, '02-sequential/default-fail.ts'), 'rep-out', [], 1);
    const out = await runnable(['report', 'rep-out', '-o', '-'], { cwd });
    expect(out.code).toBe(0);
    expect(out.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(out.stdout).toContain('<title>Pipeline Timeline - rep-out</title>');
    expect(out.stdout).toContain("content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\"");
    expect(out.stdout).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(\s*['"]?https?:/);
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(out.stdout)![1]!) as { rows: unknown[][]; run: { status: string } };
    expect(data.run.status).toBe('FAIL');
    expect(data.rows.map((r) => [r[0], r[3]])).toEqual([
      ['step_1', 'SUCCESS'],
      ['step_2', 'FAIL'],
      ['fail', 'SUCCESS'],
    ]);
    expect(fs.readdirSync(cwd).filter((f) => f.endsWith('.html'))).toEqual([]);
  });

  it('an unknown run id is a usage error naming the store', async () => {
    const cwd = tmpDir();
    const out = await runnable(['timeline', 'nope'], { cwd });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/nope/);
  });
});
