import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, runnable, tmpDir } from '../helpers/cli';

describe('loading pipeline files', () => {
  it('a syntax error shows file:line:col and a code frame, no stack backtrace (exit 2)', async () => {
    const cwd = tmpDir();
    fs.writeFileSync(path.join(cwd, 'broken.ts'), "import { pipeline } from 'runnable-ts';\nconst x = ;\nexport default pipeline('x').build();\n");
    const out = await runnable(['run', 'broken.ts'], { cwd });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^error: broken\.ts:2:11: Expression expected\n/);
    expect(out.stderr).toContain(' 2 | const x = ;');
    expect(out.stderr).not.toMatch(/Stack backtrace|Caused by|at Object\./);
  });

  it('an exported pipeline without .build() gets a hint to call it', async () => {
    const out = await runnable(['run', path.join(FIXTURES, 'unbuilt.ts')], { cwd: tmpDir() });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('exports a pipeline that is not built yet');
    expect(out.stderr).toContain('.build()');
  });

  it('compiled user files are cached by content: a changed file compiles anew, an unchanged one is reused', async () => {
    const cwd = tmpDir();
    const cache = tmpDir('rt-cache-');
    const file = path.join(FIXTURES, 'named-exports.ts');
    const env = { RUNNABLE_TS_CACHE_DIR: cache };
    const entries = () => fs.readdirSync(cache, { recursive: true }).filter((f) => String(f).endsWith('.js')).sort();
    expect((await runnable(['run', file, '--export', 'first', '--quiet'], { cwd, env })).code).toBe(0);
    const first = entries();
    expect(first.length).toBe(1);
    expect((await runnable(['run', file, '--export', 'first', '--quiet'], { cwd, env })).code).toBe(0);
    expect(entries()).toEqual(first);
    const other = path.join(cwd, 'copy.ts');
    fs.writeFileSync(other, "export const answer = 42;\n");
    await runnable(['run', other, '--quiet'], { cwd, env });
    expect(entries().length).toBe(2);
  });
});
