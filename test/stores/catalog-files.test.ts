import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { ArtifactError } from '../../src/errors';
import { FINGERPRINT_THRESHOLD_BYTES, hashFile, sha256, type Catalog } from '../../src/stores/catalog/catalog';
import { FileSystemCatalog } from '../../src/stores/catalog/file-system';
import { MemoryCatalog } from '../../src/stores/catalog/memory';
import { getFiles, putFiles } from '../../src/stores/catalog/files';
import { filesBelow } from '../../src/testing/contracts/catalog';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A working folder with the file-system catalog at `<cwd>/.catalog`, as in a default project. */
function setup(catalogLocation = '.catalog'): { cwd: string; root: string; catalog: FileSystemCatalog } {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'rt-files-')));
  dirs.push(base);
  const cwd = path.join(base, 'work');
  fs.mkdirSync(cwd);
  const root = path.resolve(cwd, catalogLocation);
  return { cwd, root, catalog: new FileSystemCatalog({ catalog_location: root }) };
}

function write(file: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('putFiles', () => {
  it('keeps nested paths: data_folder/data.txt -> <catalog>/<run>/data_folder/data.txt', async () => {
    const { cwd, root, catalog } = setup();
    write(path.join(cwd, 'data_folder', 'data.txt'), 'hello');
    const entries = await putFiles(catalog, 'run1', ['data_folder/data.txt'], { cwd, storeCopy: true });
    expect(entries).toEqual([
      { name: 'data_folder/data.txt', data_hash: sha256('hello'), catalog_relative_path: 'run1/data_folder/data.txt', catalog_handler_location: '', stage: 'put' },
    ]);
    expect(fs.readFileSync(path.join(root, 'run1', 'data_folder', 'data.txt'), 'utf8')).toBe('hello');
  });

  it('records the same hash on put and on get of the same file, and get restores it at the same relative path', async () => {
    const { cwd, catalog } = setup();
    write(path.join(cwd, 'out', 'model.bin'), Buffer.from([9, 8, 7]));
    write(path.join(cwd, 'out', 'metrics.json'), '{"auc":0.9}');
    const put = await putFiles(catalog, 'run1', ['out/*'], { cwd, storeCopy: true });
    const other = path.join(path.dirname(cwd), 'elsewhere');
    const got = await getFiles(catalog, 'run1', ['out/*'], { cwd: other });
    expect(got.map((e) => e.stage)).toEqual(['get', 'get']);
    expect(got.map(({ name, data_hash, catalog_relative_path }) => ({ name, data_hash, catalog_relative_path }))).toEqual(
      put.map(({ name, data_hash, catalog_relative_path }) => ({ name, data_hash, catalog_relative_path })),
    );
    expect(got.map((e) => e.name)).toEqual(['out/metrics.json', 'out/model.bin']);
    expect([...fs.readFileSync(path.join(other, 'out', 'model.bin'))]).toEqual([9, 8, 7]);
    expect(got[0]!.data_hash).toBe(await hashFile(path.join(other, 'out', 'metrics.json')));
  });

  it('with storeCopy false records names and hashes but copies nothing', async () => {
    const { cwd, root, catalog } = setup();
    write(path.join(cwd, 'big.csv'), 'a,b\n');
    const entries = await putFiles(catalog, 'run1', ['*.csv'], { cwd, storeCopy: false });
    expect(entries).toEqual([{ name: 'big.csv', data_hash: sha256('a,b\n'), catalog_relative_path: 'run1/big.csv', catalog_handler_location: '', stage: 'put', stored: false }]);
    expect(filesBelow(root)).toEqual([]);
  });

  it('fails with ArtifactError naming the pattern and the folder when a pattern matches nothing, and copies nothing', async () => {
    const { cwd, root, catalog } = setup();
    write(path.join(cwd, 'present.txt'), 'x');
    const err = await rejection(putFiles(catalog, 'run1', ['present.txt', 'data/*.csv'], { cwd, storeCopy: true }));
    expect(err).toBeInstanceOf(ArtifactError);
    expect(err.message).toBe(`No file matches catalog put pattern 'data/*.csv' in ${cwd}`);
    expect(filesBelow(root)).toEqual([]);
  });

  it('tolerates patterns matching nothing when the step failed, and still puts what matched', async () => {
    const { cwd, root, catalog } = setup();
    write(path.join(cwd, 'present.txt'), 'x');
    const entries = await putFiles(catalog, 'run1', ['data/*.csv', 'present.txt'], { cwd, storeCopy: true, stepFailed: true });
    expect(entries.map((e) => e.name)).toEqual(['present.txt']);
    expect(filesBelow(root)).toEqual(['run1/present.txt']);
    expect(await putFiles(catalog, 'run1', ['x'], { cwd: path.join(cwd, 'missing-folder'), storeCopy: true, stepFailed: true })).toEqual([]);
  });

  it('says when a pattern names a folder, and when the working folder is missing', async () => {
    const { cwd, catalog } = setup();
    write(path.join(cwd, 'data', 'a.txt'), 'a');
    await expect(putFiles(catalog, 'run1', ['data'], { cwd, storeCopy: true })).rejects.toThrow(
      `No file matches catalog put pattern 'data' in ${cwd} ('data' is a folder: use 'data/**' for the files in it)`,
    );
    const missing = path.join(cwd, 'nope');
    await expect(putFiles(catalog, 'run1', ['*'], { cwd: missing, storeCopy: true })).rejects.toThrow(
      `Cannot put files into the catalog: the working folder ${missing} does not exist or is not a folder`,
    );
  });

  it('matches ** at any depth including zero, files only', async () => {
    const { cwd, catalog } = setup();
    write(path.join(cwd, 'out', 'a.csv'), '1');
    write(path.join(cwd, 'out', 'x', 'y', 'b.csv'), '2');
    write(path.join(cwd, 'out', 'x', 'c.txt'), '3');
    fs.mkdirSync(path.join(cwd, 'out', 'dir.csv'));
    const entries = await putFiles(catalog, 'run1', ['out/**/*.csv'], { cwd, storeCopy: true });
    expect(entries.map((e) => e.name)).toEqual(['out/a.csv', 'out/x/y/b.csv']);
  });

  it('records a file matched by several patterns once', async () => {
    const { cwd, catalog } = setup();
    write(path.join(cwd, 'out', 'a.csv'), '1');
    write(path.join(cwd, 'out', 'sub', 'b.csv'), '2');
    const entries = await putFiles(catalog, 'run1', ['out/*.csv', 'out/**/*.csv', './out/a.csv'], { cwd, storeCopy: true });
    expect(entries.map((e) => e.name)).toEqual(['out/a.csv', 'out/sub/b.csv']);
  });

  it('matches dot-files like other names', async () => {
    const { cwd, catalog } = setup();
    write(path.join(cwd, 'cfg', '.env.sample'), 'A=1');
    const entries = await putFiles(catalog, 'run1', ['cfg/*'], { cwd, storeCopy: true });
    expect(entries.map((e) => e.name)).toEqual(['cfg/.env.sample']);
  });

  it('refuses absolute patterns and .. segments', async () => {
    const { cwd, root, catalog } = setup();
    write(path.join(path.dirname(cwd), 'secret.txt'), 's');
    const cases: [string, string][] = [
      ['../secret.txt', `Catalog put pattern '../secret.txt' has a '..' segment; patterns must stay inside ${cwd}`],
      ['data/../../secret.txt', `Catalog put pattern 'data/../../secret.txt' has a '..' segment; patterns must stay inside ${cwd}`],
      [path.join(path.dirname(cwd), 'secret.txt'), `Catalog put pattern '${path.join(path.dirname(cwd), 'secret.txt')}' is absolute; patterns must be relative to ${cwd}`],
      ['/etc/*', `Catalog put pattern '/etc/*' is absolute; patterns must be relative to ${cwd}`],
      ['', `Catalog put pattern '' is empty; give a glob relative to ${cwd}`],
    ];
    for (const [pattern, message] of cases) {
      const err = await rejection(putFiles(catalog, 'run1', [pattern], { cwd, storeCopy: true, stepFailed: true }));
      expect(err).toBeInstanceOf(ArtifactError);
      expect(err.message).toBe(message);
    }
    // a brace expanding to '..' does not escape either (refused or matching nothing)
    await expect(putFiles(catalog, 'run1', ['{..,x}/secret.txt'], { cwd, storeCopy: true })).rejects.toThrow(ArtifactError);
    expect(filesBelow(root)).toEqual([]);
  });

  it('refuses a symlink resolving outside the working folder, file or folder; accepts one inside', async () => {
    const { cwd, root, catalog } = setup();
    const outside = path.join(path.dirname(cwd), 'outside');
    write(path.join(outside, 'secret.txt'), 's');
    write(path.join(cwd, 'real.txt'), 'r');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(cwd, 'link.txt'));
    let err = await rejection(putFiles(catalog, 'run1', ['*.txt'], { cwd, storeCopy: true }));
    expect(err).toBeInstanceOf(ArtifactError);
    expect(err.message).toBe(
      `Catalog put refuses 'link.txt' (pattern '*.txt'): it is a symlink resolving to ${path.join(outside, 'secret.txt')}, outside the working folder ${cwd}. Copy the file into the working folder instead.`,
    );
    fs.rmSync(path.join(cwd, 'link.txt'));
    fs.symlinkSync(outside, path.join(cwd, 'linkdir'));
    err = await rejection(putFiles(catalog, 'run1', ['**/*'], { cwd, storeCopy: true }));
    expect(err.message).toMatch(/^Catalog put refuses 'linkdir\/secret.txt' \(pattern '\*\*\/\*'\): it is a symlink resolving to /);
    expect(filesBelow(root)).toEqual([]);
    fs.rmSync(path.join(cwd, 'linkdir'));
    fs.symlinkSync(path.join(cwd, 'real.txt'), path.join(cwd, 'alias.txt'));
    const entries = await putFiles(catalog, 'run1', ['*.txt'], { cwd, storeCopy: true });
    expect(entries.map((e) => e.name)).toEqual(['alias.txt', 'real.txt']);
    expect(fs.readFileSync(path.join(root, 'run1', 'alias.txt'), 'utf8')).toBe('r');
  });

  it('never sweeps up the catalog folder or the run log store with **/*', async () => {
    for (const location of ['.catalog', 'artifacts/catalog']) {
      const { cwd, root, catalog } = setup(location);
      write(path.join(cwd, 'data.csv'), 'd');
      write(path.join(cwd, 'sub', 'more.csv'), 'm');
      write(path.join(root, 'older-run', 'x.csv'), 'old');
      write(path.join(cwd, '.run_log_store', 'older-run.json'), '{}');
      write(path.join(cwd, 'logs', 'store', 'r.json'), '{}');
      const entries = await putFiles(catalog, 'run1', ['**/*'], { cwd, storeCopy: true, exclude: ['logs/store'] });
      expect(entries.map((e) => e.name)).toEqual(['data.csv', 'sub/more.csv']);
      // a second put in the same run does not pick up what the first one copied
      const again = await putFiles(catalog, 'run2', ['**/*'], { cwd, storeCopy: true, exclude: [path.join(cwd, 'logs', 'store')] });
      expect(again.map((e) => e.name)).toEqual(['data.csv', 'sub/more.csv']);
    }
  });
});

describe('getFiles', () => {
  it('skips execution logs and serialized values, and says so when only those match', async () => {
    const { cwd, root, catalog } = setup();
    write(path.join(root, 'run1', 'data.csv'), 'd');
    write(path.join(root, 'run1', 'nested', 'more.csv'), 'm');
    write(path.join(root, 'run1', 'trainXYZ.execution.log'), 'log');
    await catalog.putObject('run1', 'train/model.superjson', '{}');
    const entries = await getFiles(catalog, 'run1', ['**/*'], { cwd });
    expect(entries).toEqual([
      { name: 'data.csv', data_hash: sha256('d'), catalog_relative_path: 'run1/data.csv', catalog_handler_location: '', stage: 'get' },
      { name: 'nested/more.csv', data_hash: sha256('m'), catalog_relative_path: 'run1/nested/more.csv', catalog_handler_location: '', stage: 'get' },
    ]);
    expect(filesBelow(cwd).filter((f) => !f.startsWith('.catalog/'))).toEqual(['data.csv', 'nested/more.csv']);
    await expect(getFiles(catalog, 'run1', ['train/*'], { cwd })).rejects.toThrow(
      `No file matches catalog get pattern 'train/*' in the catalog of run 'run1' (${catalog.describe('run1')}) (files ending .execution.log or .superjson are never copied by get)`,
    );
  });

  it('fails with ArtifactError naming the pattern and the run when nothing matches; only sees its own run', async () => {
    const { cwd, root, catalog } = setup();
    write(path.join(root, 'other-run', 'data.csv'), 'd');
    const err = await rejection(getFiles(catalog, 'run1', ['data.csv'], { cwd }));
    expect(err).toBeInstanceOf(ArtifactError);
    expect(err.message).toBe(`No file matches catalog get pattern 'data.csv' in the catalog of run 'run1' (${catalog.describe('run1')})`);
    expect(fs.existsSync(path.join(cwd, 'data.csv'))).toBe(false);
  });

  it('matches ** at zero depth and records duplicates once', async () => {
    const { cwd, root, catalog } = setup();
    write(path.join(root, 'run1', 'out', 'a.csv'), 'a');
    write(path.join(root, 'run1', 'out', 'x', 'b.csv'), 'b');
    const entries = await getFiles(catalog, 'run1', ['out/**/*.csv', 'out/*.csv'], { cwd });
    expect(entries.map((e) => e.name)).toEqual(['out/a.csv', 'out/x/b.csv']);
  });

  it('refuses absolute patterns and .. segments', async () => {
    const { cwd, catalog } = setup();
    await expect(getFiles(catalog, 'run1', ['../run2/*'], { cwd })).rejects.toThrow(
      `Catalog get pattern '../run2/*' has a '..' segment; patterns must stay inside the catalog of run 'run1'`,
    );
    await expect(getFiles(catalog, 'run1', ['/etc/passwd'], { cwd })).rejects.toThrow(
      `Catalog get pattern '/etc/passwd' is absolute; patterns must be relative to the catalog of run 'run1'`,
    );
  });

  it('refuses to write through a symlinked folder leading outside the working folder', async () => {
    const { cwd, root, catalog } = setup();
    const outside = path.join(path.dirname(cwd), 'outside');
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(cwd, 'data'));
    write(path.join(root, 'run1', 'data', 'x.csv'), 'x');
    await expect(getFiles(catalog, 'run1', ['data/*'], { cwd })).rejects.toThrow(
      `Catalog get refuses to write 'data/x.csv' of run 'run1': its folder resolves to ${outside}, outside the working folder ${cwd} (symlink)`,
    );
    expect(fs.readdirSync(outside)).toEqual([]);
  });
});

describe('putFiles/getFiles with the in-memory catalog', () => {
  it('behave like with the file-system catalog', async () => {
    const { cwd } = setup();
    const catalog: Catalog = new MemoryCatalog();
    write(path.join(cwd, 'data_folder', 'data.txt'), 'hello');
    const put = await putFiles(catalog, 'run1', ['**/*.txt'], { cwd, storeCopy: true });
    expect(put).toEqual([
      { name: 'data_folder/data.txt', data_hash: sha256('hello'), catalog_relative_path: 'run1/data_folder/data.txt', catalog_handler_location: '', stage: 'put' },
    ]);
    const other = path.join(path.dirname(cwd), 'other');
    const got = await getFiles(catalog, 'run1', ['data_folder/*'], { cwd: other });
    expect(got).toEqual([{ ...put[0], stage: 'get' }]);
    expect(fs.readFileSync(path.join(other, 'data_folder', 'data.txt'), 'utf8')).toBe('hello');
  });
});

describe('hashFile', () => {
  it('is the SHA-256 of the content below 1 GiB', async () => {
    const { cwd } = setup();
    const content = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    write(path.join(cwd, 'f'), content);
    expect(await hashFile(path.join(cwd, 'f'))).toBe(sha256(content));
  });

  it('is a fingerprint (size as text + first MiB + last MiB) from 1 GiB', async () => {
    const { cwd } = setup();
    const file = path.join(cwd, 'sparse.bin');
    const size = FINGERPRINT_THRESHOLD_BYTES + 5;
    const fd = fs.openSync(file, 'w');
    fs.ftruncateSync(fd, size); // sparse: no disk space used
    fs.writeSync(fd, Buffer.from('head'), 0, 4, 10);
    fs.writeSync(fd, Buffer.from('tail'), 0, 4, size - 4);
    fs.closeSync(fd);
    const first = Buffer.alloc(1024 * 1024);
    first.write('head', 10);
    const last = Buffer.alloc(1024 * 1024);
    last.write('tail', last.length - 4);
    const expected = createHash('sha256').update(String(size)).update(first).update(last).digest('hex');
    expect(await hashFile(file)).toBe(expected);
  });

  it('fails with ArtifactError for a missing file or a folder', async () => {
    const { cwd } = setup();
    await expect(hashFile(path.join(cwd, 'nope'))).rejects.toThrow(`Cannot hash: '${path.join(cwd, 'nope')}' does not exist`);
    await expect(hashFile(cwd)).rejects.toThrow(ArtifactError);
  });
});

describe('streaming', () => {
  it('puts and gets a 64 MiB file without memory growing with its size', async () => {
    const { cwd, root, catalog } = setup();
    const size = 64 * 1024 * 1024;
    const file = path.join(cwd, 'big', 'blob.bin');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fd = fs.openSync(file, 'w');
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < size / chunk.length; i++) {
      chunk.fill(i % 251);
      chunk.writeUInt32LE(i, 0);
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);

    const before = process.memoryUsage().rss;
    let peak = before;
    const sample = (): void => {
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    const timer = setInterval(sample, 2);
    try {
      const put = await putFiles(catalog, 'run1', ['big/*.bin'], { cwd, storeCopy: true });
      sample();
      fs.rmSync(file);
      const got = await getFiles(catalog, 'run1', ['big/*.bin'], { cwd });
      sample();
      expect(got[0]!.data_hash).toBe(put[0]!.data_hash);
    } finally {
      clearInterval(timer);
    }
    expect(fs.statSync(file).size).toBe(size);
    expect(fs.statSync(path.join(root, 'run1', 'big', 'blob.bin')).size).toBe(size);
    if (process.env.CATALOG_FILES_DEBUG) console.log(`rss growth ${((peak - before) / 2 ** 20).toFixed(1)} MiB`);
    expect(peak - before).toBeLessThan(32 * 1024 * 1024); // the file is 64 MiB
  });
});
