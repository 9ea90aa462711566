import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Catalog } from '../../stores/catalog/catalog';
import { hashFile, sha256 } from '../../stores/catalog/catalog';
import { ArtifactError } from '../../errors';
import { testApi, type ContractOptions } from './test-api';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rt-catfile-'));
}

/** Names of the files below `dir`, relative, posix, sorted. */
export function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/**
 * The behaviour every Catalog implementation must have, as a jest/vitest suite. `make` returns a fresh, empty
 * catalog for each test: `runCatalogContract('s3', () => new S3Catalog({ bucket: freshBucket() }))`.
 */
export function runCatalogContract(name: string, make: () => Catalog, options?: ContractOptions): void {
  const t = testApi('runCatalogContract', options);
  t.describe(`Catalog contract: ${name}`, () => {
    t.it('stores and returns bytes with their SHA-256 and run-relative path', async () => {
      const c = make();
      const stored = await c.putObject('run1', 'step/df.superjson', 'hello');
      t.expect(stored).toEqual({ catalog_relative_path: 'run1/step/df.superjson', data_hash: sha256('hello'), size: 5 });
      t.expect((await c.getObject('run1', 'step/df.superjson')).toString()).toBe('hello');
      if (c.getObjectSync) t.expect(c.getObjectSync('run1', 'step/df.superjson').toString()).toBe('hello');
      t.expect(await c.exists('run1', 'step/df.superjson')).toBe(true);
      t.expect(await c.exists('run2', 'step/df.superjson')).toBe(false);
    });

    t.it('overwrites an object written again', async () => {
      const c = make();
      await c.putObject('run1', 'a.bin', Buffer.from([1, 2, 3]));
      await c.putObject('run1', 'a.bin', Buffer.from([4]));
      t.expect([...(await c.getObject('run1', 'a.bin'))]).toEqual([4]);
    });

    t.it('keeps runs apart', async () => {
      const c = make();
      await c.putObject('r-a', 'x', 'a');
      await c.putObject('r-b', 'x', 'b');
      t.expect((await c.getObject('r-a', 'x')).toString()).toBe('a');
      t.expect((await c.getObject('r-b', 'x')).toString()).toBe('b');
    });

    t.it('refuses paths that escape the run catalog', async () => {
      const c = make();
      for (const bad of ['../other/x', '/etc/passwd', 'a/../../x', '', '.']) {
        await t.expect(c.putObject('run1', bad, 'x')).rejects.toBeInstanceOf(ArtifactError);
      }
      await t.expect(c.putObject('../run', 'x', 'x')).rejects.toBeInstanceOf(ArtifactError);
    });

    t.it('fails clearly for a missing object', async () => {
      const c = make();
      await t.expect(c.getObject('run1', 'missing.superjson')).rejects.toThrow(/missing/);
    });

    t.describe('files', () => {
      t.it('putFile copies a local file at its relative path and returns its hash and size', async () => {
        const c = make();
        const dir = tempDir();
        const src = path.join(dir, 'data.txt');
        fs.writeFileSync(src, 'some,data\n1,2\n');
        const stored = await c.putFile('run1', 'data_folder/data.txt', src, { storeCopy: true });
        t.expect(stored).toEqual({ catalog_relative_path: 'run1/data_folder/data.txt', data_hash: sha256('some,data\n1,2\n'), size: 14 });
        t.expect(stored.data_hash).toBe(await hashFile(src));
        t.expect(await c.list('run1')).toEqual(['data_folder/data.txt']);
        t.expect(await c.exists('run1', 'data_folder/data.txt')).toBe(true);
      });

      t.it('getFile copies a catalog file to a new nested destination with the same hash', async () => {
        const c = make();
        const dir = tempDir();
        const src = path.join(dir, 'in.bin');
        fs.writeFileSync(src, Buffer.from([0, 1, 2, 255]));
        const put = await c.putFile('run1', 'a/b/in.bin', src, { storeCopy: true });
        const dest = path.join(dir, 'out', 'deep', 'copy.bin');
        const got = await c.getFile('run1', 'a/b/in.bin', dest);
        t.expect([...fs.readFileSync(dest)]).toEqual([0, 1, 2, 255]);
        t.expect(got).toEqual(put);
        t.expect(filesBelow(path.join(dir, 'out'))).toEqual(['deep/copy.bin']); // no temporary file left behind
      });

      t.it('getFile replaces an existing destination', async () => {
        const c = make();
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'new.txt'), 'new');
        await c.putFile('run1', 'x.txt', path.join(dir, 'new.txt'), { storeCopy: true });
        fs.writeFileSync(path.join(dir, 'x.txt'), 'old content, longer');
        await c.getFile('run1', 'x.txt', path.join(dir, 'x.txt'));
        t.expect(fs.readFileSync(path.join(dir, 'x.txt'), 'utf8')).toBe('new');
      });

      t.it('putFile with storeCopy false only hashes: nothing is stored', async () => {
        const c = make();
        const dir = tempDir();
        const src = path.join(dir, 'big.csv');
        fs.writeFileSync(src, 'a,b\n');
        const stored = await c.putFile('run1', 'big.csv', src, { storeCopy: false });
        t.expect(stored).toEqual({ catalog_relative_path: 'run1/big.csv', data_hash: sha256('a,b\n'), size: 4 });
        t.expect(await c.list('run1')).toEqual([]);
        t.expect(await c.exists('run1', 'big.csv')).toBe(false);
      });

      t.it('an empty file round-trips', async () => {
        const c = make();
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'empty'), '');
        const put = await c.putFile('run1', 'empty', path.join(dir, 'empty'), { storeCopy: true });
        t.expect(put).toEqual({ catalog_relative_path: 'run1/empty', data_hash: sha256(''), size: 0 });
        await c.getFile('run1', 'empty', path.join(dir, 'back'));
        t.expect(fs.readFileSync(path.join(dir, 'back'))).toHaveLength(0);
      });

      t.it('list returns the run\'s files (objects too), posix and sorted, without the run id; empty for an unknown run', async () => {
        const c = make();
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'f'), 'f');
        await c.putFile('run1', 'z/last.txt', path.join(dir, 'f'), { storeCopy: true });
        await c.putFile('run1', 'a.txt', path.join(dir, 'f'), { storeCopy: true });
        await c.putObject('run1', 'step/value.superjson', '{}');
        await c.putFile('run2', 'other.txt', path.join(dir, 'f'), { storeCopy: true });
        t.expect(await c.list('run1')).toEqual(['a.txt', 'step/value.superjson', 'z/last.txt']);
        t.expect(await c.list('run2')).toEqual(['other.txt']);
        t.expect(await c.list('never-ran')).toEqual([]);
      });

      t.it('a missing source, a folder as source or a missing catalog file fail with ArtifactError', async () => {
        const c = make();
        const dir = tempDir();
        const missing = path.join(dir, 'nope.csv');
        await t.expect(c.putFile('run1', 'nope.csv', missing, { storeCopy: true })).rejects.toThrow(ArtifactError);
        await t.expect(c.putFile('run1', 'nope.csv', missing, { storeCopy: true })).rejects.toThrow(
          `Cannot put 'nope.csv' into the catalog of run 'run1': '${missing}' does not exist`,
        );
        await t.expect(c.putFile('run1', 'nope.csv', missing, { storeCopy: false })).rejects.toThrow(`'${missing}' does not exist`);
        await t.expect(c.putFile('run1', 'd', dir, { storeCopy: true })).rejects.toThrow(ArtifactError);
        await t.expect(c.getFile('run1', 'absent.txt', path.join(dir, 'absent.txt'))).rejects.toThrow(
          /^Cannot get 'absent.txt' from the catalog of run 'run1': it is not in the/,
        );
        t.expect(fs.existsSync(path.join(dir, 'absent.txt'))).toBe(false);
        t.expect(await c.list('run1')).toEqual([]);
      });

      t.it('refuses file paths that escape the run catalog', async () => {
        const c = make();
        const dir = tempDir();
        fs.writeFileSync(path.join(dir, 'f'), 'f');
        for (const bad of ['../other/x', '/etc/passwd', 'a/../../x', '', '.']) {
          await t.expect(c.putFile('run1', bad, path.join(dir, 'f'), { storeCopy: true })).rejects.toBeInstanceOf(ArtifactError);
          await t.expect(c.getFile('run1', bad, path.join(dir, 'g'))).rejects.toBeInstanceOf(ArtifactError);
        }
        await t.expect(c.list('../run')).rejects.toBeInstanceOf(ArtifactError);
      });
    });
  });
}
