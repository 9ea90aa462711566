import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig, normalizeConfig, createService } from '../../src/config/load';
import { registerPlugin } from '../../src/config/registry';
import { MemoryRunLogStore } from '../../src/stores/run-log/memory';
import { FileSystemRunLogStore } from '../../src/stores/run-log/file-system';
import { ChunkedFsRunLogStore } from '../../src/stores/run-log/chunked-fs';
import { DotenvSecretsManager, EnvSecretsManager } from '../../src/stores/secrets/secrets';
import { FileSystemCatalog } from '../../src/stores/catalog/file-system';
// the built-in executors register with the plugin registry when this module loads (src/index.ts and the CLI load it)
import '../../src/executors/builtins';

const ROOT = path.resolve(__dirname, '../..');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rt-config-'));

describe('configuration search and load', () => {
  it('uses the embedded defaults when there is no configuration', () => {
    const dir = tmp();
    const loaded = loadConfig({ cwd: dir, env: {} });
    expect(loaded).toEqual({ config: {} });
    expect(createService('runLogStore', loaded.config)).toBeInstanceOf(FileSystemRunLogStore);
    expect(createService('catalog', loaded.config)).toBeInstanceOf(FileSystemCatalog);
    expect(createService('secrets', loaded.config)).toBeInstanceOf(EnvSecretsManager);
    expect(createService('executor', loaded.config).type).toBe('local');
  });

  it('finds runnable.config.ts (loaded with the swc hook, defineConfig typed)', () => {
    const dir = tmp();
    fs.writeFileSync(
      path.join(dir, 'runnable.config.ts'),
      `import { defineConfig } from ${JSON.stringify(path.join(ROOT, 'src/index'))};\n` +
        `export default defineConfig({ runLogStore: { type: 'chunked-fs', config: { log_folder: 'logs' } }, secrets: { type: 'dotenv', config: { location: 'my.env' } } });\n`,
    );
    const loaded = loadConfig({ cwd: dir, env: {} });
    expect(loaded.file).toBe('runnable.config.ts');
    expect(loaded.config.runLogStore).toEqual({ type: 'chunked-fs', config: { log_folder: 'logs' } });
    expect(createService('runLogStore', loaded.config)).toBeInstanceOf(ChunkedFsRunLogStore);
    expect(createService('secrets', loaded.config)).toBeInstanceOf(DotenvSecretsManager);
  });

  it.each([
    ['.runnablerc.yaml', 'run-log-store:\n  type: memory\n'],
    ['.runnablerc.json', '{"runLogStore": {"type": "memory"}}'],
    ['runnable.config.json', '{"run_log_store": {"type": "buffered"}}'],
    ['package.json', '{"name": "x", "runnable": {"runLogStore": {"type": "memory"}}}'],
  ])('finds %s (Python-style dashed and snake_case section names too)', (file, content) => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, file), content);
    const loaded = loadConfig({ cwd: dir, env: {} });
    expect(loaded.file).toBe(file);
    expect(createService('runLogStore', loaded.config)).toBeInstanceOf(MemoryRunLogStore);
  });

  it('--config picks a file; RUNNABLE_CONFIGURATION_FILE wins over it', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'runLogStore: { type: memory }\n');
    fs.writeFileSync(path.join(dir, 'b.yaml'), 'runLogStore: { type: chunked-fs }\n');
    expect(loadConfig({ cwd: dir, env: {}, configFile: 'a.yaml' }).config.runLogStore!.type).toBe('memory');
    expect(loadConfig({ cwd: dir, env: { RUNNABLE_CONFIGURATION_FILE: 'b.yaml' }, configFile: 'a.yaml' }).config.runLogStore!.type).toBe('chunked-fs');
    expect(() => loadConfig({ cwd: dir, env: {}, configFile: 'missing.yaml' })).toThrow(/'missing.yaml' \(from --config\) does not exist/);
  });

  it('substitutes RUNNABLE_VAR_ variables in string values', () => {
    const cfg = normalizeConfig({ catalog: { type: 'file-system', config: { catalog_location: '${root}/cat' } } }, 'x.yaml', { RUNNABLE_VAR_root: '/data' });
    expect(cfg.catalog!.config).toEqual({ catalog_location: '/data/cat' });
    expect(() => normalizeConfig({ catalog: { type: 'file-system', config: { catalog_location: '$nope' } } }, 'x.yaml', {})).toThrow(
      /x.yaml: catalog.config.catalog_location uses '\$nope' but RUNNABLE_VAR_nope is not set/,
    );
  });
});

describe('configuration errors name the file, the key and the allowed values', () => {
  it.each([
    [{ runLogStore: { type: 'chunkedfs' } }, /cfg.yaml: runLogStore.type "chunkedfs" is not known. Allowed values: file-system, chunked-fs, memory, buffered/],
    [{ runLogStore: { type: 'file-system', config: { log_dir: 'x' } } }, /runLogStore.config.log_dir is not a setting of 'file-system'. Allowed: log_folder/],
    [{ runLogStore: { type: 'file-system', config: { log_folder: 3 } } }, /runLogStore.config.log_folder must be a string, got number \(3\)/],
    [{ runlogstore: { type: 'memory' } }, /unknown section 'runlogstore'. Allowed sections: executor, runLogStore, catalog, secrets/],
    [{ catalog: 'file-system' }, /'catalog' must be an object like \{ type: 'file-system'/],
    [{ secrets: { type: 'env', settings: {} } }, /'secrets' has unknown key\(s\) 'settings'/],
    [{ executor: { type: 'kubeflow' } }, /executor.type "kubeflow" is not known. Allowed values: local, emulator, local-container, mocked, argo, k8s-job\./],
  ])('%j', (raw, message) => {
    expect(() => normalizeConfig(raw, 'cfg.yaml', {})).toThrow(ConfigError);
    expect(() => normalizeConfig(raw, 'cfg.yaml', {})).toThrow(message);
  });

  it('a config file that does not parse is a ConfigError naming it', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, '.runnablerc.yaml'), 'runLogStore: [\n');
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(ConfigError);
  });
});

describe('plugins', () => {
  it('a registered third-party type is selectable by config, with its own keys validated', () => {
    class TaggedStore extends MemoryRunLogStore {
      constructor(readonly label: string) {
        super();
      }
    }
    registerPlugin('runLogStore', 'tagged-memory', { create: (c) => new TaggedStore(String(c.label)), configKeys: { label: 'string' } });
    const cfg = normalizeConfig({ runLogStore: { type: 'tagged-memory', config: { label: 'L' } } }, 'cfg.yaml', {});
    const store = createService('runLogStore', cfg) as TaggedStore;
    expect(store).toBeInstanceOf(TaggedStore);
    expect(store.label).toBe('L');
    expect(() => normalizeConfig({ runLogStore: { type: 'tagged-memory', config: { lable: 'L' } } }, 'cfg.yaml', {})).toThrow(/Allowed: label/);
  });
});
