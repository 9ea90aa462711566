import { ConsoleReporter, table } from '../../src/engine/reporter';
import type { RunLog } from '../../src/stores/run-log/types';

const runLog = (): RunLog => ({
  run_id: 'r',
  dag_hash: '',
  tag: '',
  status: 'SUCCESS',
  job: null,
  parameters: {},
  run_config: {},
  steps: {
    load: {
      name: 'load',
      internal_name: 'load',
      status: 'SUCCESS',
      step_type: 'task',
      message: '',
      mock: false,
      branches: {},
      data_catalog: [],
      attempts: [
        { attempt_number: 1, start_time: '2026-01-01 00:00:00.000000', end_time: '2026-01-01 00:00:01.500000', status: 'SUCCESS', message: '', input_parameters: {}, output_parameters: {}, user_defined_metrics: {}, retry_indicator: '', code_identities: [], duration_seconds: 1.5, cpu_seconds: 1.25, peak_rss_bytes: 150 * 2 ** 20 },
      ],
    },
  },
});

describe('console reporter', () => {
  it('on a terminal: a live spinner line with the running steps, cleared before permanent lines', async () => {
    let out = '';
    const r = new ConsoleReporter({ live: true, out: (t) => (out += t), err: (t) => (out += t) });
    r.stepStarted('train');
    await new Promise((res) => setTimeout(res, 250));
    r.stepFinished({ internalName: 'train', status: 'SUCCESS', seconds: 0.25, attempt: 1 });
    expect(out).toMatch(/\r\x1b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] train 0\.\ds/);
    expect(out).toMatch(/\r\x1b\[2Ktrain: ✅ Completed in 0\.\ds\n$/);
  });

  it('not on a terminal: plain lines only, then a summary table and where to look next', () => {
    let out = '';
    const r = new ConsoleReporter({ live: false, out: (t) => (out += t) });
    r.stepStarted('load');
    r.stepFinished({ internalName: 'load', status: 'FAIL', seconds: 1.5, attempt: 2, error: 'Error: boom', outputTail: 'line 1\nline 2' });
    r.runFinished({ runId: 'r', status: 'FAIL', seconds: 2, runLogLocation: '.run_log_store/r.json', catalogLocation: '.catalog/r', failedSteps: [{ name: 'load', message: 'x' }], runLog: runLog() });
    expect(out).not.toContain('\r');
    expect(out).toContain('load: ❌ Failed in 1.5s (attempt 2)\n   Error: boom\n   last output of the step:\n     │ line 1\n     │ line 2\n');
    expect(out).toMatch(/step\s+status\s+duration\s+attempts\s+cpu\s+peak mem\n─+\s+─+\s+─+\s+─+\s+─+\s+─+\nload\s+✅ SUCCESS\s+1\.5s\s+1\s+1\.25s\s+150 MiB\n/);
    expect(out).toContain("❌ Run r failed in 2.0s at step 'load'");
    expect(out).toContain('Fix the step, then resume from it: runnable retry r');
  });

  it('--verbose echoes step output prefixed with the step name', () => {
    let out = '';
    const r = new ConsoleReporter({ live: false, verbose: true, out: (t) => (out += t), err: (t) => (out += t) });
    r.stepOutput('prep', 'a\nb\n', 'stdout');
    expect(out).toBe('  │ prep: a\n  │ prep: b\n');
  });

  it('aligns table columns with emoji', () => {
    expect(table(['a', 'b'], [['✅ x', 'y']])).toBe('a     b\n────  ─\n✅ x  y');
  });
});
