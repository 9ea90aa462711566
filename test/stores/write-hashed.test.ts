import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomicHashedSync } from '../../src/stores/catalog/write-hashed';
import { FileSystemCatalog } from '../../src/stores/catalog/file-system';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('writeFileAtomicHashedSync (catalog objects hashed while written)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rts-write-hashed-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the bytes writeFileSync writes and returns their SHA-256 and size, across chunk boundaries', () => {
    const chunk = 1024 * 1024;
    const texts = [
      '',
      'plain ascii',
      // a surrogate pair straddling the first chunk boundary, multi-byte characters, a lone surrogate
      'a'.repeat(chunk - 1) + '😀' + 'é'.repeat(chunk) + '\ud800' + 'z',
      'x'.repeat(3 * chunk + 17),
    ];
    texts.forEach((t, i) => {
      const ours = path.join(dir, `sub/${i}.txt`);
      const theirs = path.join(dir, `${i}.ref`);
      fs.writeFileSync(theirs, t);
      const r = writeFileAtomicHashedSync(ours, t);
      const expected = fs.readFileSync(theirs);
      expect(fs.readFileSync(ours).equals(expected)).toBe(true);
      expect(r).toEqual({ data_hash: sha(expected), size: expected.length });
    });
    const buf = Buffer.from([0, 1, 2, 255]);
    expect(writeFileAtomicHashedSync(path.join(dir, 'b.bin'), buf)).toEqual({ data_hash: sha(buf), size: 4 });
    expect(fs.readdirSync(path.join(dir, 'sub')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('is what the file-system catalog records for putObject', async () => {
    const catalog = new FileSystemCatalog({ catalog_location: path.join(dir, 'catalog') });
    const text = '{"json":"😀"}';
    const stored = await catalog.putObject('run-1', 'step/x.superjson', text);
    expect(stored).toEqual({ catalog_relative_path: 'run-1/step/x.superjson', data_hash: sha(Buffer.from(text)), size: Buffer.byteLength(text) });
    expect((await catalog.getObject('run-1', 'step/x.superjson')).toString('utf8')).toBe(text);
  });
});
