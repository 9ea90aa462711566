import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCatalogContract } from 'runnable-ts/testing';
import { MemoryCatalog } from '../../src/stores/catalog/memory';
import { FileSystemCatalog } from '../../src/stores/catalog/file-system';

runCatalogContract('memory', () => new MemoryCatalog());
runCatalogContract('file-system', () => new FileSystemCatalog({ catalog_location: fs.mkdtempSync(path.join(os.tmpdir(), 'rt-cat-')) }));

describe('file-system catalog', () => {
  it('lays artifacts out as <catalog_location>/<run_id>/<path>', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-cat-'));
    await new FileSystemCatalog({ catalog_location: dir }).putObject('run9', 'train/model.superjson', '{}');
    expect(fs.readFileSync(path.join(dir, 'run9', 'train', 'model.superjson'), 'utf8')).toBe('{}');
  });
});
