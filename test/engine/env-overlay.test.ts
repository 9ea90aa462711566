import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { withEnv } from '../../src/engine/env-overlay';

const ROOT = path.resolve(__dirname, '../..');

// process.env becomes a view once a step with secrets has run in the process. Code must still be able to assign and
// delete variables, as it can on the real process.env, and a step must not be able to overwrite another's secret.
describe('the step environment view', () => {
  it('after a step with a secret ran, code assigns, defines and deletes variables as on the real process.env', () => {
    // In a real process: jest gives tests a plain copy of process.env, which accepts what the real one refuses.
    const script = `
      const { withEnv } = require(${JSON.stringify(path.join(ROOT, 'lib/engine/env-overlay.js'))});
      process.env.RT_OVERLAY_EXISTING = 'before';
      withEnv({ RT_OVERLAY_SECRET: 's3cret' }, async () => process.env.RT_OVERLAY_SECRET).then((seen) => {
        process.env.RT_OVERLAY_EXISTING = 'after';
        process.env.RT_OVERLAY_NEW = 'new';
        Object.defineProperty(process.env, 'RT_OVERLAY_DEFINED', { value: 'd', enumerable: true, configurable: true, writable: true });
        const read = [seen, process.env.RT_OVERLAY_EXISTING, process.env.RT_OVERLAY_NEW, process.env.RT_OVERLAY_DEFINED, process.env.RT_OVERLAY_SECRET];
        delete process.env.RT_OVERLAY_EXISTING;
        delete process.env.RT_OVERLAY_NEW;
        delete process.env.RT_OVERLAY_DEFINED;
        const left = Object.keys(process.env).filter((k) => k.startsWith('RT_OVERLAY_'));
        process.stdout.write(JSON.stringify({ read, left }));
      });`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ read: ['s3cret', 'after', 'new', 'd', undefined].map((v) => v ?? null), left: [] });
  });

  it("inside a step: its own secret and hidden names change only the step's view; other assignments reach the process", async () => {
    process.env.RT_OVERLAY_OTHERS = 'theirs';
    await withEnv(
      { RT_OVERLAY_MINE: 'mine' },
      async () => {
        process.env.RT_OVERLAY_MINE = 'changed';
        process.env.RT_OVERLAY_OTHERS = 'overwritten?';
        process.env.RT_OVERLAY_SHARED = 'shared';
        expect([process.env.RT_OVERLAY_MINE, process.env.RT_OVERLAY_OTHERS]).toEqual(['changed', 'overwritten?']);
        // a concurrent step with no view sees the real environment
        await withEnv({}, async () => undefined);
        delete process.env.RT_OVERLAY_MINE;
        expect(process.env.RT_OVERLAY_MINE).toBeUndefined();
      },
      new Set(['RT_OVERLAY_OTHERS']),
    );
    expect(process.env.RT_OVERLAY_OTHERS).toBe('theirs');
    expect(process.env.RT_OVERLAY_MINE).toBeUndefined();
    expect(process.env.RT_OVERLAY_SHARED).toBe('shared');
    delete process.env.RT_OVERLAY_OTHERS;
    delete process.env.RT_OVERLAY_SHARED;
  });
});
