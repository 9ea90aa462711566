import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runRunLogStoreContract, newRunLog, stepLog } from 'runnable-ts/testing';
import { MemoryRunLogStore } from '../../src/stores/run-log/memory';
import { FileSystemRunLogStore } from '../../src/stores/run-log/file-system';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rt-store-'));

runRunLogStoreContract('memory', () => new MemoryRunLogStore());
runRunLogStoreContract('file-system', () => {
  const dir = tmp();
  return { store: new FileSystemRunLogStore({ log_folder: dir }), reopen: () => new FileSystemRunLogStore({ log_folder: dir }) };
});

describe('file-system run log store', () => {
  it('writes <log_folder>/<run_id>.json in the runnable format and removes the journal at close', async () => {
    const dir = tmp();
    const store = new FileSystemRunLogStore({ log_folder: dir });
    await store.create(newRunLog('run-a'));
    await store.apply('run-a', [{ op: 'step', step: stepLog('a') }]);
    expect(fs.existsSync(path.join(dir, 'run-a.journal.jsonl'))).toBe(true);
    await store.close('run-a');
    expect(fs.readdirSync(dir)).toEqual(['run-a.json']);
    const log = JSON.parse(fs.readFileSync(path.join(dir, 'run-a.json'), 'utf8'));
    expect(log.steps.a.status).toBe('SUCCESS');
  });

  it('a reader in another process sees snapshot + journal while the run is in progress', async () => {
    const dir = tmp();
    const writer = new FileSystemRunLogStore({ log_folder: dir });
    await writer.create(newRunLog('live'));
    await writer.apply('live', [{ op: 'step', step: stepLog('first') }]);
    const reader = new FileSystemRunLogStore({ log_folder: dir });
    expect(Object.keys((await reader.get('live')).steps)).toEqual(['first']);
  });

  it('ignores a torn last journal line left by a crash', async () => {
    const dir = tmp();
    const writer = new FileSystemRunLogStore({ log_folder: dir });
    await writer.create(newRunLog('crash'));
    await writer.apply('crash', [{ op: 'step', step: stepLog('done') }]);
    fs.appendFileSync(path.join(dir, 'crash.journal.jsonl'), '{"op":"step","step":{"name":"half');
    const reader = new FileSystemRunLogStore({ log_folder: dir });
    expect(Object.keys((await reader.get('crash')).steps)).toEqual(['done']);
  });

  it('compacts the JSON file as the journal grows, so bytes written stay linear', async () => {
    const dir = tmp();
    const store = new FileSystemRunLogStore({ log_folder: dir });
    await store.create(newRunLog('big'));
    const big = 'x'.repeat(2000);
    for (let i = 0; i < 400; i++) {
      const s = stepLog(`s${i}`);
      s.message = big;
      await store.apply('big', [{ op: 'step', step: s }]);
    }
    const journal = fs.statSync(path.join(dir, 'big.journal.jsonl')).size;
    const snapshot = fs.statSync(path.join(dir, 'big.json')).size;
    // the journal never grows past the snapshot (plus one step) once the log is large
    expect(journal).toBeLessThanOrEqual(Math.max(256 * 1024, snapshot) + 4000);
    expect(Object.keys((await new FileSystemRunLogStore({ log_folder: dir }).get('big')).steps)).toHaveLength(400);
  });

  it('two stores racing to create the same run id: exactly one wins', async () => {
    const dir = tmp();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => new FileSystemRunLogStore({ log_folder: dir }).create(newRunLog('race'))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('reports a corrupt JSON file clearly', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'bad.json'), '{ not json');
    await expect(new FileSystemRunLogStore({ log_folder: dir }).get('bad')).rejects.toThrow(/bad\.json is not valid JSON/);
  });
});
