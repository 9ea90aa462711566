import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, ROOT, TUTORIAL, runnable, tmpDir } from '../helpers/cli';

describe('runnable graph (before any run)', () => {
  it('the tutorial as Mermaid: steps, parameters to the steps that read them, names on each edge', async () => {
    const cwd = tmpDir();
    const out = await runnable(['graph', TUTORIAL], { cwd });
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(
      [
        'flowchart TD',
        '  params[/"parameters: test_size, n_estimators"/]',
        '  n_load_data["⚙️ load_data<br/>LoadData.run"]',
        '  n_preprocess["⚙️ preprocess<br/>Preprocess.run"]',
        '  n_train["⚙️ train<br/>Train.run<br/>💾 put reports/training-summary.json"]',
        '  n_evaluate["⚙️ evaluate<br/>evaluateModel<br/>💾 get reports/training-summary.json<br/>💾 put reports/model-report.md"]',
        '  n_success(["✅ success"])',
        '  n_load_data -->|"df (pickled)"| n_preprocess',
        '  n_preprocess -->|"preprocessed_data (pickled)"| n_train',
        '  n_train -->|"model_data (pickled)"| n_evaluate',
        '  n_evaluate -->|"accuracy (metric), report"| n_success',
        '  params -.->|"test_size"| n_preprocess',
        '  params -.->|"n_estimators"| n_train',
        '',
      ].join('\n'),
    );
    // nothing ran
    expect(fs.existsSync(path.join(cwd, '.run_log_store'))).toBe(false);
  });

  it('--format json and dot; a file that starts its own run is only loaded, never run', async () => {
    const cwd = tmpDir();
    const json = await runnable(['graph', path.join(ROOT, 'examples/06-parallel/nesting.ts'), '--format', 'json'], { cwd });
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { pipeline: string; graph: { nodes: { path: string; type: string; branches?: { key: string }[] }[] } };
    expect(parsed.pipeline).toBe('nesting');
    expect(parsed.graph.nodes.map((n) => [n.path, n.type])).toEqual([
      ['items', 'task'],
      ['nested_parallel', 'parallel'],
      ['report', 'task'],
      ['success', 'success'],
    ]);
    const dot = await runnable(['graph', path.join(ROOT, 'examples/02-sequential/on-failure.ts'), '--format', 'dot'], { cwd });
    expect(dot.stdout).toContain('[label="on failure", style=dashed, color=red];');
    const self = await runnable(['graph', path.join(FIXTURES, 'self-execute.ts')], { cwd });
    expect(self.code).toBe(2);
    expect(self.stderr).toContain("self-execute.ts' exports no pipeline");
    await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(path.join(cwd, '.run_log_store'))).toBe(false);
  });

  it('a bad format is a usage error', async () => {
    const out = await runnable(['graph', TUTORIAL, '--format', 'png'], { cwd: tmpDir() });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("Allowed choices are mermaid, dot, json");
  });
});
