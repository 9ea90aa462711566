import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, readRunLog, runnable, tmpDir } from '../helpers/cli';
import { FAULT_FIXTURES } from './ownership-helpers';
import { inMemory } from '../helpers/memory-run';
import {
  MemoryCatalog,
  MemoryRunLogStore,
  ParameterError,
  PipelineDefinitionError,
  TaskDefinitionError,
  ValueTooLargeError,
  loadArtifact,
  pickled,
  pipeline,
  task,
} from '../../src/index';
import { executeSingleNode } from '../../src/engine/run';
import { loadConfig, projectRoot } from '../../src/config/load';
import { checkInlineSize } from '../../src/engine/inline-limit';

const RESUMABLE = path.join(FIXTURES, 'resumable.ts');
const EVIL = path.join(FAULT_FIXTURES, 'own-evil.js');

describe('run ids from the command line never reach a path', () => {
  const bad = ['../x', '..', 'a/b', '..\\x', '/etc/passwd', '-rf', 'x'.repeat(129), 'a b'];
  it.each([
    ['retry', (id: string) => ['retry', id]],
    ['inspect', (id: string) => ['inspect', id]],
    ['inspect <name>', (id: string) => ['inspect', id, 'model']],
    ['execute-single-node', (id: string) => ['execute-single-node', id, RESUMABLE, 'train']],
    ['runs compare', (id: string) => ['runs', 'compare', 'ok-run', id]],
  ])('%s refuses ../x with exit 2 and says what a run id is', async (_cmd, args) => {
    const cwd = tmpDir('rt-untrusted-');
    const out = await runnable(args('../x'), { cwd });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("error: Run id '../x' is not valid: use letters, digits, '-' and '_'");
    expect(fs.readdirSync(cwd)).toEqual([]); // nothing created, nothing loaded
  });

  it('the API refuses them too: retry, execute-single-node, loadArtifact', async () => {
    const p = pipeline('p').step(task(() => ({ v: 1 }), { name: 'a', returns: ['v'] })).build();
    for (const id of bad) {
      await expect(p.execute({ ...inMemory(), retryRunId: id })).rejects.toBeInstanceOf(ParameterError);
      await expect(executeSingleNode(p, id, 'a', inMemory())).rejects.toThrow(/is not valid/);
      await expect(loadArtifact(id, 'v', { runLogStore: new MemoryRunLogStore(), catalog: new MemoryCatalog() })).rejects.toBeInstanceOf(ParameterError);
    }
  });
});

describe('read-only commands never load code a run log names', () => {
  /** A real run of resumable.ts whose run log is then edited to name own-evil.js as its pipeline file. */
  async function tamperedRun(): Promise<string> {
    const cwd = tmpDir('rt-untrusted-');
    fs.writeFileSync(path.join(cwd, 'flag.txt'), 'ok');
    expect((await runnable(['run', RESUMABLE, '--run-id', 'tampered'], { cwd })).code).toBe(0);
    const file = path.join(cwd, '.run_log_store/tampered.json');
    const log = JSON.parse(fs.readFileSync(file, 'utf8'));
    log.run_config.pipeline_definition_file = `${path.relative(cwd, EVIL)}#default`;
    fs.writeFileSync(file, JSON.stringify(log, null, 2));
    return cwd;
  }

  it('inspect (tree, JSON, values, pickled class instances), runs and runs compare run no code from the run log', async () => {
    const cwd = await tamperedRun();
    const commands = [
      ['inspect', 'tampered'],
      ['inspect', 'tampered', '--json'],
      ['inspect', 'tampered', 'score'],
      ['inspect', 'tampered', 'features'],
      ['inspect', 'tampered', 'features', '--json'],
      ['runs'],
      ['runs', '--json'],
      ['runs', 'compare', 'tampered', 'tampered'],
    ];
    for (const args of commands) {
      const out = await runnable(args, { cwd });
      expect({ args, code: out.code }).toEqual({ args, code: 0 });
      expect(fs.existsSync(path.join(cwd, 'PWNED'))).toBe(false);
    }
    // the pickled class instance is shown in its stored form, with the way to decode it
    const features = await runnable(['inspect', 'tampered', 'features'], { cwd });
    expect(features.stderr).toMatch(/^features \(pickled, tampered\/featurize\/features\.superjson, \d+ bytes\): holds 'fixture\.Features', not decoded/);
    expect(JSON.parse(features.stdout).json.rows[2]).toEqual([2, 4]);
    // with the file the user names, it is decoded
    const decoded = await runnable(['inspect', 'tampered', 'features', '--file', RESUMABLE], { cwd });
    expect(decoded.code).toBe(0);
    expect(decoded.stdout).toMatch(/^Features \{/);
    expect(fs.existsSync(path.join(cwd, 'PWNED'))).toBe(false);
  });
});

describe('the configuration search stops at the project root', () => {
  /** <tmp>/shared holds a config that must never be picked up from the folders below it. */
  function layout() {
    const shared = tmpDir('rt-untrusted-shared-');
    fs.writeFileSync(path.join(shared, 'runnable.config.js'), `require('node:fs').writeFileSync(${JSON.stringify(path.join(shared, 'PWNED'))}, 'x'); module.exports = { runLogStore: { type: 'memory' } };\n`);
    const project = path.join(shared, 'project');
    fs.mkdirSync(path.join(project, 'src/deep'), { recursive: true });
    fs.writeFileSync(path.join(project, 'package.json'), '{"name":"p"}');
    const gitProject = path.join(shared, 'git-project');
    fs.mkdirSync(path.join(gitProject, '.git'), { recursive: true });
    fs.mkdirSync(path.join(gitProject, 'sub'));
    const loose = path.join(shared, 'no-project', 'sub');
    fs.mkdirSync(loose, { recursive: true });
    return { shared, project, gitProject, loose };
  }

  it('a config in a shared parent folder is not loaded (package.json root, .git root, no project at all)', () => {
    const { shared, project, gitProject, loose } = layout();
    expect(projectRoot(path.join(project, 'src/deep'))).toBe(project);
    expect(projectRoot(path.join(gitProject, 'sub'))).toBe(gitProject);
    for (const cwd of [project, path.join(project, 'src/deep'), path.join(gitProject, 'sub'), loose]) {
      expect(loadConfig({ cwd, env: {} })).toEqual({ config: {} });
    }
    expect(fs.existsSync(path.join(shared, 'PWNED'))).toBe(false);
  });

  it('a config inside the project is found from any folder below it', () => {
    const { project } = layout();
    fs.writeFileSync(path.join(project, '.runnablerc.yaml'), 'runLogStore:\n  type: chunked-fs\n');
    const loaded = loadConfig({ cwd: path.join(project, 'src/deep'), env: {} });
    expect(loaded.config.runLogStore!.type).toBe('chunked-fs');
    expect(loaded.file).toBe(path.join('..', '..', '.runnablerc.yaml'));
  });

  it('the CLI in a project below a planted config uses the defaults', async () => {
    const { shared, project } = layout();
    const out = await runnable(['runs'], { cwd: project });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('No runs yet in the file-system run-log store');
    expect(fs.existsSync(path.join(shared, 'PWNED'))).toBe(false);
  });
});

describe('names that would become paths or pollute objects are refused when defined', () => {
  const a = task(() => ({ v: 1 }), { name: 'a', returns: ['v'] });
  it.each(['x/y', 'up\\evil', 'a/b/c', '/abs'])('step name %j: PipelineDefinitionError naming the step', (name) => {
    const err = (() => {
      try {
        pipeline('p').step(a, { name });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(PipelineDefinitionError);
    expect(err!.message).toContain(`step name '${name}' contains '/' or '\\'`);
  });

  it('task() and branch names with / or \\ are refused too', () => {
    expect(() => task(() => ({}), { name: 'a/b' })).toThrow(TaskDefinitionError);
    expect(() => task(() => ({}), { name: 'a\\b' })).toThrow(/step name 'a\\b' contains '\/' or '\\'/);
    const branch = pipeline('b').step(a).build();
    expect(() => pipeline('p').parallel('par', { 'x/y': branch })).toThrow(/branch name 'x\/y' is empty or contains/);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('parameter %s: ParameterError from the environment, a parameters file and execute({ params })', async (name) => {
    const p = pipeline('p').step(a).build();
    const fromEnv = p.execute({ ...inMemory(), env: { [`RUNNABLE_PRM_${name}`]: '{"polluted": true}' } });
    await expect(fromEnv).rejects.toBeInstanceOf(ParameterError);
    await expect(p.execute({ ...inMemory(), env: { [`RUNNABLE_PRM_${name}`]: '1' } })).rejects.toThrow(
      `Parameter name '${name}' (from the environment variable RUNNABLE_PRM_${name}) is not allowed`,
    );
    const dir = tmpDir('rt-untrusted-');
    const file = path.join(dir, 'params.yaml');
    fs.writeFileSync(file, `ok: 1\n${name}:\n  polluted: true\n`);
    await expect(p.execute({ ...inMemory(), parametersFile: file })).rejects.toThrow(new RegExp(`Parameter name '${name}' \\(from the parameters file .*params\\.yaml\\) is not allowed`));
    await expect(p.execute({ ...inMemory(), params: JSON.parse(`{"${name}": 1}`) })).rejects.toThrow(`Parameter name '${name}' (from execute({ params })) is not allowed`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => (task as (fn: unknown, o: unknown) => unknown)(() => ({ [name]: 1 }), { name: 't', returns: [name] })).toThrow(TaskDefinitionError);
  });
});

describe('a JSON return too large to store inline', () => {
  const saved = process.env.RUNNABLE_MAX_INLINE_BYTES;
  afterEach(() => {
    if (saved === undefined) delete process.env.RUNNABLE_MAX_INLINE_BYTES;
    else process.env.RUNNABLE_MAX_INLINE_BYTES = saved;
  });

  it('fails the step (not a RangeError) with a message suggesting pickled(); the same value pickled is stored', async () => {
    const big = 'x'.repeat(17 * 1024 * 1024); // over the 16 MiB default
    const asJson = pipeline('j').step(task(() => ({ blob: big }), { name: 'make', returns: ['blob'] })).build();
    const err = await asJson.execute(inMemory()).catch((e: unknown) => e as Error & { runLog?: { steps: Record<string, { attempts: { error_type?: string; message: string }[] }> } });
    expect(err).toBeInstanceOf(Error);
    const attempt = err.runLog!.steps.make!.attempts[0]!;
    expect(attempt.error_type).toBe('ValueTooLargeError');
    expect(attempt.message).toBe(
      "ValueTooLargeError: Step 'make': return 'blob' is 17.0 MiB of JSON, more than the 16.0 MiB a run log stores inline (RUNNABLE_MAX_INLINE_BYTES). Declare it as pickled('blob') to store it in the catalog instead.",
    );
    const asPickle = pipeline('k').step(task(() => ({ blob: big }), { name: 'make', returns: [pickled('blob')] })).build();
    expect((await asPickle.execute(inMemory())).status).toBe('SUCCESS');
  });

  it('the limit is RUNNABLE_MAX_INLINE_BYTES, and a wrong setting names itself', async () => {
    process.env.RUNNABLE_MAX_INLINE_BYTES = '1000';
    const p = pipeline('j').step(task(() => ({ rows: Array.from({ length: 200 }, (_, i) => ({ i })) }), { name: 'rows', returns: ['rows'] })).build();
    await expect(p.execute(inMemory())).rejects.toThrow(/return 'rows' is \d+ bytes of JSON, more than the 1000 bytes/);
    expect(() => checkInlineSize('s', 'v', 'short', 1000)).not.toThrow();
    expect(() => checkInlineSize('s', 'v', { a: 'y'.repeat(2000) }, 1000)).toThrow(ValueTooLargeError);
    process.env.RUNNABLE_MAX_INLINE_BYTES = 'lots';
    await expect(p.execute(inMemory())).rejects.toThrow(/RUNNABLE_MAX_INLINE_BYTES must be a whole number of bytes ≥ 1, got 'lots'/);
  });
});

it('a real run still reads its run log back valid after all this (schema)', async () => {
  const cwd = tmpDir('rt-untrusted-');
  fs.writeFileSync(path.join(cwd, 'flag.txt'), 'ok');
  expect((await runnable(['run', RESUMABLE, '--run-id', 'plain'], { cwd })).code).toBe(0);
  expect(readRunLog(cwd, 'plain').status).toBe('SUCCESS');
});
