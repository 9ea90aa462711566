/**
 * The step cache's fingerprint (src/engine/cache.ts): canonical JSON, the import scanner, the closure of local
 * modules (cycles, `.js` specifiers for `.ts` files, index files, tsconfig paths, node_modules left out), and what
 * does and does not change a step's key and fingerprint.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeReader, canonicalJson, inputsFingerprint, scanImports, stepKey, taskCode, type StepIdentity } from '../../src/engine/cache';
import { getTaskDefinition, task, type TaskDefinition } from '../../src/sdk/task';
import type { Parameter } from '../../src/stores/run-log/types';

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-fp-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const json = (value: unknown): Parameter => ({ kind: 'json', value, description: '' });

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson('x')).toBe('"x"');
  });

  it('equal data in any key order gives one text; different data never does', () => {
    expect(canonicalJson({ x: 1, y: [1, 'a'] })).toBe(canonicalJson({ y: [1, 'a'], x: 1 }));
    expect(canonicalJson({ x: '1' })).not.toBe(canonicalJson({ x: 1 }));
    expect(canonicalJson({ x: null })).not.toBe(canonicalJson({}));
  });
});

describe('scanImports', () => {
  it('finds static, side-effect, re-export, require and dynamic imports', () => {
    const src = [
      "import { a } from './a';",
      "import type { T } from \"./types.js\";",
      "import './side-effect';",
      "export * from '../up/b';",
      "export { c } from './c'",
      "const d = require('./d');",
      "const e = await import('./e.js');",
      "import f = require('./f');",
      "import * as fs from 'node:fs';",
      "import {",
      "  g,",
      "} from 'some-package';",
    ].join('\n');
    expect(scanImports(src).sort()).toEqual(['../up/b', './a', './c', './d', './e.js', './f', './side-effect', './types.js', 'node:fs', 'some-package'].sort());
  });
});

describe('CodeReader: the local modules a module imports', () => {
  it('follows relative imports transitively, resolving .js specifiers to .ts files and folders to index files', () => {
    const dir = project({
      'main.ts': "import { h } from './lib/helper.js';\nimport { u } from './util';\nimport 'ml-package';\nexport const x = h + u;",
      'lib/helper.ts': "import { deep } from './deep';\nexport const h = deep;",
      'lib/deep.ts': 'export const deep = 1;',
      'util/index.ts': 'export const u = 2;',
      'unrelated.ts': 'export const nothing = 0;',
      'node_modules/ml-package/index.js': 'module.exports = {};',
    });
    const files = new CodeReader().closure(path.join(dir, 'main.ts')).map((f) => path.relative(dir, f));
    expect(files).toEqual(['lib/deep.ts', 'lib/helper.ts', 'main.ts', 'util/index.ts']);
  });

  it('terminates on import cycles between local modules and covers every module of the cycle', () => {
    const dir = project({
      'a.ts': "import { b } from './b';\nexport const a = () => b();",
      'b.ts': "import { c } from './c';\nexport const b = () => c();",
      'c.ts': "import { a } from './a';\nexport const c = () => a;",
    });
    const reader = new CodeReader();
    expect(reader.closure(path.join(dir, 'b.ts')).map((f) => path.basename(f))).toEqual(['a.ts', 'b.ts', 'c.ts']);
    const before = reader.moduleHash(path.join(dir, 'a.ts'));
    fs.appendFileSync(path.join(dir, 'c.ts'), '\n// edited\n');
    expect(new CodeReader().moduleHash(path.join(dir, 'a.ts'))).not.toBe(before);
  });

  it('resolves tsconfig paths aliases to local files', () => {
    const dir = project({
      'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@lib/*': ['src/lib/*'] } } }),
      'src/main.ts': "import { h } from '@lib/helper';\nexport const x = h;",
      'src/lib/helper.ts': 'export const h = 1;',
    });
    const files = new CodeReader().closure(path.join(dir, 'src/main.ts')).map((f) => path.relative(dir, f));
    expect(files).toEqual(['src/lib/helper.ts', 'src/main.ts']);
  });

  it('a module hash changes with the module or any local module it imports, not with other files or node_modules', () => {
    const dir = project({
      'main.ts': "import { h } from './helper';\nimport 'pkg';\nexport const x = h;",
      'helper.ts': 'export const h = 1;',
      'other.ts': 'export const o = 1;',
      'node_modules/pkg/index.js': 'module.exports = 1;',
    });
    const hash = () => new CodeReader().moduleHash(path.join(dir, 'main.ts'));
    const h0 = hash();
    expect(hash()).toBe(h0);
    fs.writeFileSync(path.join(dir, 'other.ts'), 'export const o = 2;');
    fs.writeFileSync(path.join(dir, 'node_modules/pkg/index.js'), 'module.exports = 2;');
    expect(hash()).toBe(h0);
    fs.writeFileSync(path.join(dir, 'helper.ts'), 'export const h = 2;');
    const h1 = hash();
    expect(h1).not.toBe(h0);
    fs.writeFileSync(path.join(dir, 'main.ts'), "import { h } from './helper';\nimport 'pkg';\nexport const x = h + 1;");
    expect(hash()).not.toBe(h1);
  });

  it('the hash does not depend on where the project folder is', () => {
    const files = { 'main.ts': "import './helper';", 'helper.ts': 'export {};' };
    const a = project(files);
    const b = project(files);
    expect(new CodeReader().moduleHash(path.join(a, 'main.ts'))).toBe(new CodeReader().moduleHash(path.join(b, 'main.ts')));
  });
});

describe('task definitions remember their module', () => {
  it('task() records the file that called it (this test file)', () => {
    const t = task(() => ({}), { name: 'probe' });
    expect(getTaskDefinition(t)?.source).toBe(__filename);
    expect(taskCode(getTaskDefinition(t)!, new CodeReader())).toMatch(/^module:[0-9a-f]{64}$/);
  });

  it('without a known module, the function text stands for the code; a shell step is its command', () => {
    const def = { ...getTaskDefinition(task(() => ({ a: 1 }), { name: 'p', returns: ['a'] }))! } as TaskDefinition & { source?: string };
    delete def.source;
    const other = { ...def, target: () => ({ a: 2 }) } as TaskDefinition;
    expect(taskCode(def, new CodeReader())).not.toBe(taskCode(other, new CodeReader()));
    const sh = { kind: 'shell', name: 's', returns: [], options: {}, target: () => undefined, command: 'echo 1' } as TaskDefinition;
    expect(taskCode(sh, new CodeReader())).not.toBe(taskCode({ ...sh, command: 'echo 2' }, new CodeReader()));
  });
});

describe('stepKey and inputsFingerprint', () => {
  const def = getTaskDefinition(task(() => ({ y: 1 }), { name: 'train', returns: ['y'] }))!;
  const id = (over: Partial<StepIdentity> = {}): StepIdentity => ({ step: 'train', task: def, code: 'module:abc', secrets: ['API_KEY'], catalog: null, getFiles: {}, ...over });

  it('the key covers code, version, dot path, secrets names, catalog spec and the files get would copy', () => {
    const k = stepKey(id());
    expect(stepKey(id())).toBe(k);
    expect(stepKey(id({ code: 'module:abd' }))).not.toBe(k);
    expect(stepKey(id({ version: '2' }))).not.toBe(k);
    expect(stepKey(id({ step: 'map.1.train' }))).not.toBe(k);
    expect(stepKey(id({ secrets: ['OTHER'] }))).not.toBe(k);
    expect(stepKey(id({ secrets: ['B', 'A'] }))).toBe(stepKey(id({ secrets: ['A', 'B'] })));
    expect(stepKey(id({ catalog: { put: ['out.csv'] } }))).not.toBe(k);
    expect(stepKey(id({ getFiles: { 'a.csv': 'f'.repeat(64) } }))).not.toBe(stepKey(id({ getFiles: { 'a.csv': 'e'.repeat(64) } })));
    expect(stepKey({ ...id(), task: { ...def, returns: [{ name: 'z', kind: 'json' }] } })).not.toBe(k);
  });

  it('the fingerprint covers the values read (JSON canonically, pickled by hash) and the names read that were absent', () => {
    const key = 'a'.repeat(64);
    const fp = inputsFingerprint(key, { n: json(5), cfg: json({ a: 1, b: 2 }) }, ['test_size']);
    expect(inputsFingerprint(key, { cfg: json({ b: 2, a: 1 }), n: json(5) }, ['test_size'])).toBe(fp);
    expect(inputsFingerprint(key, { n: json(20), cfg: json({ a: 1, b: 2 }) }, ['test_size'])).not.toBe(fp);
    expect(inputsFingerprint(key, { n: json(5), cfg: json({ a: 1, b: 2 }) }, [])).not.toBe(fp);
    expect(inputsFingerprint('b'.repeat(64), { n: json(5), cfg: json({ a: 1, b: 2 }) }, ['test_size'])).not.toBe(fp);
    const obj = (h: string, where: string): Parameter => ({ kind: 'object', value: 'df', description: '', data_hash: h, catalog_relative_path: where });
    // a pickled value counts by its hash, not by where it is stored
    expect(inputsFingerprint(key, { df: obj('c'.repeat(64), 'run1/x/df.superjson') }, [])).toBe(inputsFingerprint(key, { df: obj('c'.repeat(64), 'run2/x/df.superjson') }, []));
    expect(inputsFingerprint(key, { df: obj('c'.repeat(64), 'r/df') }, [])).not.toBe(inputsFingerprint(key, { df: obj('d'.repeat(64), 'r/df') }, []));
    expect(inputsFingerprint(key, { df: { kind: 'object', value: 'df', description: '' } }, [])).toBeUndefined();
  });
});
