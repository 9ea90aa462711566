import { describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, runnable, tmpDir, type CliResult } from '../helpers/cli';

// The end-to-end suites call the CLI through a warm process (test/helpers/cli-server.js) unless a test asks for a
// fresh one. These cases pin that a warm call answers as a fresh `bin/runnable.js` process does, where state could
// leak from one call to the next: the library's registries, the user's modules, the environment, the working
// folder, a step that ends the process, and a file that starts no run (the event loop must empty as in a process).

const lib = JSON.stringify(path.join(ROOT, 'lib/index.js'));

/**
 * Output without what differs from run to run (durations, timestamps, the process's memory) and without stack
 * frames (a warm process maps the library's frames to src/, and its require stack starts at the server).
 */
const stable = (text: string) =>
  text
    .replace(/\d+(\.\d+)?\s?(ms|s|MiB)\b/g, 'N')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'D')
    .split('\n')
    .filter((l) => !/^\s+at |^\s*- \/|^Require stack:/.test(l))
    .join('\n');
const comparable = (r: CliResult) => ({ code: r.code, stdout: stable(r.stdout), stderr: stable(r.stderr) });

async function both(args: string[], cwd: string, env?: Record<string, string>): Promise<CliResult> {
  const warm = await runnable(args, { cwd, ...(env && { env }) });
  const cold = await runnable(args.map((a) => a.replace('warm', 'cold')), { cwd, ...(env && { env }), process: true });
  expect(comparable(warm)).toEqual(comparable({ ...cold, stdout: cold.stdout.replaceAll('cold', 'warm'), stderr: cold.stderr.replaceAll('cold', 'warm') }));
  return warm;
}

describe('a warm CLI call answers as a fresh process', () => {
  const cwd = tmpDir('rt-warm-');
  fs.writeFileSync(
    path.join(cwd, 'point.ts'),
    `import { pickled, pipeline, task, Serializable } from ${lib};
@Serializable('warm.Point')
export class Point { constructor(public x = 0) {} }
const make = task(() => ({ p: new Point(Number(process.env.RUNNABLE_PRM_x ?? 1)) }), { name: 'make', returns: [pickled('p')] });
const show = task(({ p }: { p: Point }) => { console.log('x is', p.x, 'in', process.cwd().endsWith('sub') ? 'sub' : 'top', 'argv', process.argv.slice(2).join(' ')); return {}; }, { name: 'show', returns: [] });
export default pipeline('points').step(make).step(show).build();
`,
  );

  it('the library starts fresh each call: a @Serializable class is registered again without a clash, and user files are read again', async () => {
    const first = await both(['run', 'point.ts', '--run-id', 'warm-1', '-v'], cwd);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/x is 1 in top argv run point\.ts --run-id warm-1 -v/);
    fs.writeFileSync(path.join(cwd, 'point.ts'), fs.readFileSync(path.join(cwd, 'point.ts'), 'utf8').replace("'x is'", "'x now is'"));
    const edited = await both(['run', 'point.ts', '--run-id', 'warm-2', '-v'], cwd);
    expect(edited.code).toBe(0);
    expect(edited.stdout).toMatch(/x now is 1 in top/);
  });

  it('the environment and the working folder are the call’s own', async () => {
    const withParam = await both(['run', 'point.ts', '--run-id', 'warm-3', '-v'], cwd, { RUNNABLE_PRM_x: '7' });
    expect(withParam.stdout).toMatch(/x now is 7 in top/);
    fs.mkdirSync(path.join(cwd, 'sub'), { recursive: true });
    const inSub = await both(['run', '../point.ts', '--run-id', 'warm-4', '-v'], path.join(cwd, 'sub'));
    expect(inSub.stdout).toMatch(/x now is 1 in sub/);
  });

  it('a step that calls process.exit, a file that starts no run, and a usage error end the same way', async () => {
    fs.writeFileSync(
      path.join(cwd, 'exits.ts'),
      `import { pipeline, task } from ${lib};
export default pipeline('exits').step(task(() => { process.exit(3); }, { name: 'quits', returns: [] })).build();
`,
    );
    fs.writeFileSync(path.join(cwd, 'nothing.ts'), `export const answer = 42;\n`);
    expect((await both(['run', 'exits.ts', '--run-id', 'warm-5'], cwd)).code).toBe(1);
    const nothing = await both(['run', 'nothing.ts'], cwd);
    expect([nothing.code, nothing.stderr]).toEqual([2, expect.stringMatching(/neither exports a pipeline nor calls execute\(\)/)]);
    expect((await both(['run', 'missing.ts'], cwd)).code).toBe(2);
  });
});
