import type { Catalog } from '../../src/stores/catalog/catalog';
import { sha256 } from '../../src/stores/catalog/catalog';
import { ArtifactError } from '../../src/errors';

/** The behaviour every Catalog implementation must have. */
export function catalogContract(name: string, make: () => Catalog): void {
  describe(`Catalog contract: ${name}`, () => {
    it('stores and returns bytes with their SHA-256 and run-relative path', async () => {
      const c = make();
      const stored = await c.putObject('run1', 'step/df.superjson', 'hello');
      expect(stored).toEqual({ catalog_relative_path: 'run1/step/df.superjson', data_hash: sha256('hello'), size: 5 });
      expect((await c.getObject('run1', 'step/df.superjson')).toString()).toBe('hello');
      if (c.getObjectSync) expect(c.getObjectSync('run1', 'step/df.superjson').toString()).toBe('hello');
      expect(await c.exists('run1', 'step/df.superjson')).toBe(true);
      expect(await c.exists('run2', 'step/df.superjson')).toBe(false);
    });

    it('overwrites an object written again', async () => {
      const c = make();
      await c.putObject('run1', 'a.bin', Buffer.from([1, 2, 3]));
      await c.putObject('run1', 'a.bin', Buffer.from([4]));
      expect([...(await c.getObject('run1', 'a.bin'))]).toEqual([4]);
    });

    it('keeps runs apart', async () => {
      const c = make();
      await c.putObject('r-a', 'x', 'a');
      await c.putObject('r-b', 'x', 'b');
      expect((await c.getObject('r-a', 'x')).toString()).toBe('a');
      expect((await c.getObject('r-b', 'x')).toString()).toBe('b');
    });

    it('refuses paths that escape the run catalog', async () => {
      const c = make();
      for (const bad of ['../other/x', '/etc/passwd', 'a/../../x', '', '.']) {
        await expect(c.putObject('run1', bad, 'x')).rejects.toBeInstanceOf(ArtifactError);
      }
      await expect(c.putObject('../run', 'x', 'x')).rejects.toBeInstanceOf(ArtifactError);
    });

    it('fails clearly for a missing object', async () => {
      const c = make();
      await expect(c.getObject('run1', 'missing.superjson')).rejects.toThrow(/missing/);
    });
  });
}
