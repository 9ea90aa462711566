import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSource, projectFile, writeProject } from '../../bench/typecheck';

// The bench's client of TypeScript 7's language server (bench/editor-latency-lsp.js, used by `npm run bench --
// --only=typecheck`), on a 3-step generated pipeline: the hover resolves the pipeline's real type through the
// library's types, and the server process is gone once the script has shut it down. Its figures are the bench's
// business: nothing about time is asserted here.
const SCRIPT = path.resolve(__dirname, '../../bench/editor-latency-lsp.js');

/** Whether a TypeScript 7 language server still runs with this pid (a reused pid would be another command). */
function serverAlive(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--lsp');
  } catch {
    return false;
  }
}

describe('bench/editor-latency-lsp.js (TypeScript 7 language server)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rts-lsp-test-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('hovers the built pipeline with its real type, before and after an edit, and shuts the server down', () => {
    const config = writeProject(dir, 'pipeline-3', generateSource(3, 'pipeline'));
    const r = spawnSync(process.execPath, [SCRIPT, config, projectFile(dir, 'pipeline-3'), 'generated', 'hover'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as {
      serverPid: number;
      hover: { text: string };
      hoverAfterEdit: { text: string };
      serverExit: { killed: boolean };
    };
    const type = /^const generated: Pipeline<\{\}, \{ v0: number; v1: string; v2: number; \}/;
    expect(out.hover.text).toMatch(type);
    expect(out.hoverAfterEdit.text).toMatch(type);
    // it exited by itself after shutdown and exit, and nothing is left running
    expect(out.serverExit.killed).toBe(false);
    expect(serverAlive(out.serverPid)).toBe(false);
  });

  it('shows the signature of .step( inside the chain', () => {
    const config = writeProject(dir, 'pipeline-4', generateSource(4, 'pipeline'));
    const r = spawnSync(process.execPath, [SCRIPT, config, projectFile(dir, 'pipeline-4'), 'generated', 'signature'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { serverPid: number; request: { text: string } };
    // the middle .step( of four is the third, S2's
    expect(out.request.text).toMatch(/^step\(step: typeof S2, options\?: /);
    expect(serverAlive(out.serverPid)).toBe(false);
  });
});
