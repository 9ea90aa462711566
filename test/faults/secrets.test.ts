/**
 * Part 5 of issue 9: secrets keep the promise the docs make. Attack test: runs whose steps try every way we know to
 * leak a secret, with the default `env` secrets manager and with `dotenv`; then every file the runs wrote, all
 * console output (--verbose) and `inspect` output are scanned for the value, JSON-escaped, URL-encoded and base64.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runnable, type CliResult } from '../helpers/cli';
import { project } from './exits.helpers';
import { redactCut, secretForms, StreamRedactor } from '../../src/engine/redaction';

/** A value that JSON and URL encoding change, so the encoded forms differ from the raw one. */
const SECRET = 'p@ss"w0rd\\Zk-9f3kQ/x+7';

const PIPELINES = `
import * as fs from 'node:fs';
import { execSync } from 'node:child_process';
import { pipeline, task, shell, pickled, Task, inject, SECRETS, type SecretsManager } from 'runnable-ts';

// Declares the secret and prints it every way: one character per write, JSON, base64, URL-encoded, stderr, a child.
const chatty = task(async () => {
  const s = process.env.API_KEY!;
  for (const ch of s) process.stdout.write(ch);
  process.stdout.write('\\n');
  for (let i = 0; i < s.length; i += 3) { process.stderr.write(s.slice(i, i + 3)); await new Promise((r) => setImmediate(r)); }
  process.stderr.write('\\n');
  console.log(JSON.stringify({ token: s }));
  console.log('b64=' + Buffer.from(s).toString('base64') + ' shifted=' + Buffer.from('x' + s).toString('base64'));
  console.log('url=' + encodeURIComponent(s));
  console.warn(new Error('debug ' + s).stack);
  console.log(execSync('printenv API_KEY').toString());
  return { ok: 1 };
}, { name: 'chatty', secrets: ['API_KEY'], returns: ['ok'] });

// Does not declare it: must see nothing, in its environment, its children's, or through the injected manager.
const snoop = task(() => ({
  seen_env: process.env.API_KEY ?? 'none',
  seen_keys: Object.keys(process.env).includes('API_KEY') || 'API_KEY' in process.env,
  seen_child: execSync('printenv API_KEY || echo none').toString().trim(),
  seen_spread: ({ ...process.env }).API_KEY ?? 'none',
}), { name: 'snoop', returns: ['seen_env', 'seen_keys', 'seen_child', 'seen_spread'] });
const snoopShell = shell('export seen_sh="\${API_KEY:-none}"', { name: 'snoop_sh', returns: ['seen_sh'] });
@Task({ name: 'snoop_inject', returns: ['refused'] })
class SnoopInject {
  constructor(@inject(SECRETS) private secrets: SecretsManager) {}
  run() {
    try { return { refused: 'got ' + this.secrets.get('API_KEY').length + ' chars' }; } catch (e) { return { refused: (e as Error).name }; }
  }
}
const shellDeclared = shell('echo "shell says $API_KEY"; printf "%s" "$API_KEY" | base64', { name: 'shell_declared', secrets: ['API_KEY'] });
export const leaky = pipeline('leaky').step(chatty).step(snoop).step(snoopShell).step(SnoopInject).step(shellDeclared).build();

// Each of these fails its step, on purpose.
const returnsIt = task(() => ({ token: process.env.API_KEY! }), { name: 'returns_it', secrets: ['API_KEY'], returns: ['token'] });
export const returnsSecret = pipeline('r').step(returnsIt).build();
const returnsB64 = task(() => ({ blob: { nested: ['x', Buffer.from(process.env.API_KEY!).toString('base64')] } }), { name: 'returns_pickled', secrets: ['API_KEY'], returns: [pickled('blob')] });
export const returnsPickledSecret = pipeline('rp').step(returnsB64).build();
const putsIt = task(() => { fs.writeFileSync('leak.txt', 'key=' + process.env.API_KEY); return {}; }, { name: 'puts_it', secrets: ['API_KEY'], catalog: { put: ['leak.txt'] } });
export const putsSecret = pipeline('p').step(putsIt).build();
const throwsIt = task(() => { throw new Error('auth failed for ' + process.env.API_KEY); }, { name: 'throws_it', secrets: ['API_KEY'] });
export const throwsSecret = pipeline('t').step(throwsIt).build();
const timesOut = task(async () => { console.log('waiting with ' + process.env.API_KEY); await new Promise((r) => setTimeout(r, 2_000)); return {}; }, { name: 'times_out', secrets: ['API_KEY'], timeout: 200 });
const rejects = task(() => { Promise.reject(new Error('rejected with ' + process.env.API_KEY)); return {}; }, { name: 'rejects_it', secrets: ['API_KEY'] });
export const faultsWithSecret = pipeline('f').step(rejects, { onFailure: pipeline('then').step(timesOut).build() }).build();

// Puts every file of the working folder, dot-files included: the .env file must not be swept up.
const sweeps = task(() => { fs.writeFileSync('data.txt', 'plain data'); fs.writeFileSync('.hidden-data', 'x'); return {}; }, { name: 'sweeps', catalog: { put: ['*', '.*'] } });
export const putEverything = pipeline('all').step(sweeps).build();
`;

const EXPORTS = ['leaky', 'returnsSecret', 'returnsPickledSecret', 'putsSecret', 'throwsSecret', 'faultsWithSecret', 'putEverything'] as const;

/** The forms a scan looks for: raw, JSON-escaped, URL-encoded, base64 (whole value). */
const FORMS = [SECRET, JSON.stringify(SECRET).slice(1, -1), encodeURIComponent(SECRET), Buffer.from(SECRET).toString('base64')];

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

function leaksIn(what: string, text: string): string[] {
  return FORMS.filter((f) => text.includes(f)).map((f) => `${what} contains ${JSON.stringify(f)}`);
}

describe.each([
  // a stray .env file with the default env manager: never put either
  ['env', { API_KEY: SECRET }, { '.env': `API_KEY=${SECRET}\n` }, '.run_log_store'],
  [
    'dotenv',
    {},
    {
      '.env': `API_KEY='${SECRET}'\n`,
      'runnable.config.ts': `import { defineConfig } from 'runnable-ts';
export default defineConfig({
  runLogStore: { type: 'chunked-fs', config: { log_folder: 'logs' } },
  catalog: { type: 'file-system', config: { catalog_location: 'artifacts' } },
  secrets: { type: 'dotenv', config: { location: '.env' } },
});
`,
    },
    'logs',
  ],
] as const)('secrets manager %s: an attacker pipeline cannot leak the secret', (_kind, env, files, logFolder) => {
  const catalogFolder = logFolder === 'logs' ? 'artifacts' : '.catalog';
  let cwd: string;
  const out: Record<string, CliResult> = {};
  const inspected: CliResult[] = [];
  beforeAll(async () => {
    cwd = project({ 'p.ts': PIPELINES, ...files });
    for (const exp of EXPORTS) {
      if (exp === 'putEverything') fs.rmSync(path.join(cwd, 'leak.txt')); // what putsSecret's step wrote (it would be refused)
      out[exp] = await runnable(['--verbose', 'run', 'p.ts', '--export', exp, '--run-id', exp.toLowerCase()], { cwd, env });
      inspected.push(await runnable(['inspect', exp.toLowerCase()], { cwd, env }));
      inspected.push(await runnable(['inspect', exp.toLowerCase(), '--json'], { cwd, env }));
    }
    inspected.push(await runnable(['inspect', 'leaky', 'ok'], { cwd, env }));
  }, 120_000);

  const inspectJson = (id: string) => JSON.parse(inspected[EXPORTS.findIndex((e) => e.toLowerCase() === id) * 2 + 1]!.stdout);

  it('the step that declares it can use it (and so can its child processes); the run succeeds', () => {
    expect(out.leaky!.code).toBe(0);
    const chatty = fs.readFileSync(path.join(cwd, catalogFolder, 'leaky/chatty/attempt-1.execution.log'), 'utf8');
    // what it printed is there, redacted: one-character writes, JSON, base64 (two alignments), URL, the stack, the child
    expect(chatty.split('\n').slice(0, 5)).toEqual(['***', '***', '{"token":"***"}', expect.stringMatching(/^b64=\*\*\*[A-Za-z0-9+/=]* shifted=[A-Za-z0-9+/]*\*\*\*[A-Za-z0-9+/=]*$/), 'url=***']);
    expect(chatty).toContain('Error: debug ***');
    expect(chatty).toMatch(/\n\*\*\*\n/);
  });

  it('steps and shell commands that do not declare it see nothing, and cannot ask the injected manager for it', () => {
    const p = inspectJson('leaky').parameters;
    expect([p.seen_env.value, p.seen_keys.value, p.seen_child.value, p.seen_spread.value, p.seen_sh.value, p.refused.value]).toEqual([
      'none',
      false,
      'none',
      'none',
      'none',
      'SecretNotFoundError',
    ]);
  });

  it('a step returning the secret (as is, or base64 inside a pickled value) fails; the value is not recorded', () => {
    const r = inspectJson('returnssecret');
    expect(r.status).toBe('FAIL');
    expect(r.steps.returns_it.attempts[0].error_type).toBe('SecretLeakError');
    expect(r.steps.returns_it.attempts[0].message).toBe(
      "SecretLeakError: Step 'returns_it' returned 'token', which holds the value of a secret ('API_KEY'). A secret's value is never recorded in the run log or the catalog: pass the secret's name and let the steps that need it declare it (secrets: [...]).",
    );
    expect(r.parameters.token).toBeUndefined();
    const rp = inspectJson('returnspickledsecret');
    expect(rp.steps.returns_pickled.attempts[0].error_type).toBe('SecretLeakError');
    expect(filesUnder(path.join(cwd, catalogFolder, 'returnspickledsecret')).filter((f) => f.endsWith('.superjson'))).toEqual([]);
  });

  it('a step putting a file that holds the secret fails, and nothing is copied', () => {
    const p = inspectJson('putssecret');
    expect(p.steps.puts_it.attempts[0].message).toMatch(/^SecretLeakError: Step 'puts_it' puts 'leak.txt' into the catalog: the file holds the value of a secret/);
    expect(fs.existsSync(path.join(cwd, catalogFolder, 'putssecret/leak.txt'))).toBe(false);
  });

  it('error messages are redacted: thrown, rejected and forgotten, and the output of a timed-out attempt', () => {
    expect(inspectJson('throwssecret').steps.throws_it.attempts[0].message).toBe('Error: auth failed for ***');
    const f = inspectJson('faultswithsecret');
    expect(f.steps.rejects_it.attempts[0].message).toBe('Error: rejected with *** (a promise rejected and never awaited or caught: unhandledRejection)');
    expect(f.steps.times_out.attempts[0].error_type).toBe('StepTimeoutError');
  });

  it('catalog put of every file, dot-files included, never copies the .env file', () => {
    expect(out.putEverything!.code).toBe(0);
    const copied = filesUnder(path.join(cwd, catalogFolder, 'puteverything')).map((f) => path.relative(path.join(cwd, catalogFolder, 'puteverything'), f));
    expect(copied).toEqual(expect.arrayContaining(['data.txt', '.hidden-data', 'p.ts']));
    expect(copied).not.toContain('.env');
  });

  it('SCAN: no form of the value in any file the runs wrote, any console output (--verbose) or inspect output', () => {
    const leaks: string[] = [];
    for (const f of [...filesUnder(path.join(cwd, logFolder)), ...filesUnder(path.join(cwd, catalogFolder))]) {
      leaks.push(...leaksIn(path.relative(cwd, f), fs.readFileSync(f, 'latin1')));
    }
    for (const [exp, r] of Object.entries(out)) leaks.push(...leaksIn(`console of ${exp}`, r.stdout + r.stderr));
    for (const r of inspected) leaks.push(...leaksIn('inspect output', r.stdout + r.stderr));
    expect(leaks).toEqual([]);
    // and the scan would have seen them: the secret is really used (the child process printed it, redacted)
    expect(out.leaky!.stdout + out.leaky!.stderr).toContain('shell says ***');
  });
});

describe('redaction units', () => {
  it('a secret written one character per chunk is held back and redacted whole; nothing else is delayed longer than needed', () => {
    const r = new StreamRedactor(secretForms('hunter2-secret'));
    const shown = [...'say hunter2-secret now'].map((c) => r.write(c)).join('') + r.end();
    expect(shown).toBe('say *** now');
    const r2 = new StreamRedactor(secretForms('hunter2-secret'));
    expect(r2.write('plain text\n')).toBe('plain text\n');
    expect(r2.write('ends with hunt')).toBe('ends with ');
    expect(r2.write('ing')).toBe('hunting');
  });

  it('the forms of a value: raw, JSON-escaped, URL-encoded and three base64 alignments; short values are not redacted', () => {
    const forms = secretForms('a"b/c+d=e');
    expect(forms).toEqual(expect.arrayContaining(['a"b/c+d=e', 'a\\"b/c+d=e', encodeURIComponent('a"b/c+d=e')]));
    for (const prefix of ['', 'x', 'xy']) {
      const b64 = Buffer.from(`${prefix}a"b/c+d=e and more`).toString('base64');
      expect(forms.some((f) => f.length >= 8 && b64.includes(f))).toBe(true);
    }
    expect(secretForms('ab')).toEqual([]);
  });

  it('output cut at its size limit in the middle of a secret keeps no part of it', () => {
    const forms = secretForms('hunter2-secret');
    expect(redactCut('log line\nkey=hunter2-se[cut]', 'log line\nkey=hunter2-se'.length, forms)).toBe('log line\nkey=***[cut]');
    expect(redactCut('key=hunter2-secret and more[cut]', 'key=hunter2-secret and more'.length, forms)).toBe('key=*** and more[cut]');
  });
});
