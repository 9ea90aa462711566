'use strict';
// Child process of bench/typecheck.ts: editor latency through TypeScript 7's language server (`tsc --lsp --stdio`,
// the native compiler that `npm i typescript` installs from 7.0 on; an editor with TypeScript 7 talks to it).
// The TypeScript 5.9 counterpart, through ts.createLanguageService, is editor-latency.js.
//
// usage: node editor-latency-lsp.js <dir/tsconfig.json> <file> <identifier> [operation]
// The tsconfig must be named tsconfig.json and sit in the file's folder (or above it): the server finds a file's
// project the way it does in an editor, by looking for tsconfig.json upwards from the file.
// operation (default 'hover'), each in a fresh server: initialize, initialized, didOpen, and once the server's log
// says it has handled didOpen (it loads the project then: reads and parses the files), the request:
//   hover      hover on the last `const <identifier>` (the built pipeline), then again after an edit (didChange
//              appending a comment line)
//   chain-end  hover on the last `.step` of the chain (the builder just before `.build()`)
//   mid-step   hover on the `.step` in the middle of the chain (an intermediate builder)
//   signature  textDocument/signatureHelp inside the middle `.step(`
//   first      hover on the first class name (`S0`): a request that needs almost no type work (the floor)
// Prints one JSON line: the didOpen (`open`: wall ms until handled, server CPU ms), and per request the wall ms
// (request to response, what the editor waits), the server process's CPU ms over the same span and since didOpen
// (or the edit), the CPU it spent in the 300 ms after the response (background work still going on), the time the
// server's own log gives, and the first line of what the request shows (a hover's type on one line). CPU is
// utime+stime of the native tsc process from /proc/<pid>/stat, in clock ticks (`clockTickMs`: 10 ms when CLK_TCK
// is 100), so figures below a few ticks are not resolved.
// The server is shut down (shutdown, exit) and the script waits until its process has exited (`serverExit`;
// `killed` if it had to be killed). RUNNABLE_LSP_DEBUG=1 prints every message from the server on stderr.
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');

/** The native tsc of TypeScript 7 (the repo's dev dependency `typescript-7`; its bin/tsc is a node launcher of it). */
function nativeTsc() {
  if (process.env.RUNNABLE_BENCH_TSC7) return process.env.RUNNABLE_BENCH_TSC7;
  const exe = require('typescript-7').nativeBinary();
  if (!exe) throw new Error("TypeScript 7's native compiler is not installed (its platform package is missing): npm ci");
  return exe;
}

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
const clockTickMs = 1000 / clockTicks;

/** utime + stime of a process in ms (whole process: every thread of the Go runtime), from /proc/<pid>/stat. */
function cpuMsOf(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name, which is in parentheses and may contain spaces: state is field 3, utime 14, stime 15
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * clockTickMs;
}

/** A minimal LSP client over the server's stdin/stdout: Content-Length framed JSON-RPC 2.0. */
class LspClient {
  constructor(exe, args, cwd) {
    this.proc = spawn(exe, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.proc.pid;
    this.nextId = 1;
    this.pending = new Map();
    this.buffer = Buffer.alloc(0);
    this.stderr = '';
    this.notifications = [];
    /** What the server's log says it spent handling each message (method, request id, ms). */
    this.handled = [];
    this.waiting = [];
    this.diagnostics = [];
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.proc.stdout.on('data', (chunk) => this.onData(chunk));
    this.proc.stderr.on('data', (chunk) => (this.stderr = (this.stderr + chunk).slice(-4000)));
    this.proc.on('exit', () => {
      for (const { reject } of this.pending.values()) reject(new Error(`the server exited before answering: ${this.stderr}`));
      this.pending.clear();
    });
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const m = /Content-Length: *(\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString('ascii'));
      if (!m) throw new Error(`LSP header without Content-Length: ${this.buffer.subarray(0, headerEnd)}`);
      const end = headerEnd + 4 + Number(m[1]);
      if (this.buffer.length < end) return;
      const message = JSON.parse(this.buffer.subarray(headerEnd + 4, end).toString('utf8'));
      this.buffer = this.buffer.subarray(end);
      this.onMessage(message);
    }
  }

  onMessage(msg) {
    if (process.env.RUNNABLE_LSP_DEBUG) process.stderr.write(`[${performance.now().toFixed(0)} ms] ${JSON.stringify(msg).slice(0, 2000)}\n`);
    if (msg.id !== undefined && msg.method === undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result);
    } else if (msg.id !== undefined) {
      // a request from the server (workspace/configuration, client/registerCapability, ...): answer as a plain editor
      // without settings would
      const result = msg.method === 'workspace/configuration' ? (msg.params?.items ?? []).map(() => null) : null;
      this.send({ jsonrpc: '2.0', id: msg.id, result });
    } else {
      this.notifications.push(msg.method);
      if (msg.method === 'textDocument/publishDiagnostics') this.diagnostics.push({ file: path.basename(msg.params.uri), count: msg.params.diagnostics.length });
      // the server logs how long it took to handle each message: "handled method 'textDocument/hover' (2) in 5.98ms"
      const handled = msg.method === 'window/logMessage' && /^handled method '([^']+)'(?: \((\d+)\))? in (\S+)$/.exec(msg.params?.message ?? '');
      if (handled) {
        this.handled.push({ method: handled[1], id: handled[2] === undefined ? undefined : Number(handled[2]), ms: goDurationMs(handled[3]), at: performance.now() });
        for (const w of [...this.waiting]) if (w.done()) w.resolve();
      }
    }
  }

  send(message) {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method, params) {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /**
   * Sends a notification and resolves when the server's log says it has handled it (didOpen loads the project
   * before returning; the server handles it before any later message). Resolves to the entry of its log.
   */
  notifyHandled(method, params, timeoutMs = 300_000) {
    const seen = this.handled.filter((h) => h.method === method).length;
    const done = () => this.handled.filter((h) => h.method === method).length > seen;
    const handled = new Promise((resolve) => this.waiting.push({ done, resolve }));
    this.notify(method, params);
    return withTimeout(handled, timeoutMs).then(() => this.handled.filter((h) => h.method === method).at(-1));
  }

  /** shutdown, exit, then wait for the process to end (killed if it has not after 5 s). */
  async close() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      try {
        await withTimeout(this.request('shutdown'), 5000);
        this.notify('exit');
      } catch {
        /* killed below */
      }
    }
    // stdin is closed only if the server has not exited on its own after `exit`
    const endInput = setTimeout(() => this.proc.stdin.end(), 2000);
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      this.proc.kill('SIGKILL');
    }, 5000);
    const exit = await this.exited;
    clearTimeout(endInput);
    clearTimeout(timer);
    // TypeScript 7.0.2 exits with code 1 after shutdown and exit (its dispatch loop ends "cancelled"): what tells a
    // clean end here is that it exited by itself, in time
    return { ...exit, killed };
  }
}

/** ms of a Go duration as the server prints it: 812ns, 203.5µs, 5.98ms, 1.2s, 1m2.5s. */
function goDurationMs(d) {
  const unit = { h: 3600e3, m: 60e3, s: 1e3, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };
  let ms = 0;
  let rest = d;
  for (const m of d.matchAll(/([\d.]+)(h|ms|m|s|us|µs|ns)/g)) {
    ms += Number(m[1]) * unit[m[2]];
    rest = rest.replace(m[0], '');
  }
  return rest === '' ? ms : NaN;
}

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** LSP position (line, UTF-16 character) of an offset in text. */
function positionOf(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** The first line of a hover's text, without markdown code fences. */
function hoverText(result) {
  if (!result) return '';
  const c = result.contents;
  const raw = typeof c === 'string' ? c : Array.isArray(c) ? c.map((x) => (typeof x === 'string' ? x : x.value)).join('\n') : (c?.value ?? '');
  // the server prints a long type over several lines of a code block: shown here on one line
  const fence = /```\w*\n([\s\S]*?)\n```/.exec(raw);
  const shown = fence ? fence[1].split('\n').map((l) => l.trim()).join(' ') : raw.split('\n').find((l) => l.trim() !== '') ?? '';
  return shown.slice(0, 200);
}

function signatureText(result) {
  if (!result || !result.signatures?.length) return '';
  return result.signatures[result.activeSignature ?? 0].label.split('\n')[0].slice(0, 200);
}

async function measure(config, file, ident, operation) {
  const target = path.resolve(file);
  let text = fs.readFileSync(target, 'utf8');
  const uri = pathToFileURL(target).href;
  const rootDir = path.dirname(path.resolve(config));
  const client = new LspClient(nativeTsc(), ['--lsp', '--stdio'], rootDir);
  const out = { operation, serverPid: client.pid, clockTickMs };
  try {
    const t0 = performance.now();
    await client.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(rootDir).href,
      workspaceFolders: [{ uri: pathToFileURL(rootDir).href, name: path.basename(rootDir) }],
      capabilities: {
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: false },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          signatureHelp: { signatureInformation: { documentationFormat: ['markdown', 'plaintext'], parameterInformation: { labelOffsetSupport: true } } },
          // pull diagnostics: the server computes them when asked (this client does not ask), as in an editor that
          // asks for them after the request measured here
          diagnostic: { dynamicRegistration: false },
          publishDiagnostics: {},
        },
        workspace: { configuration: true, workspaceFolders: true },
      },
    });
    client.notify('initialized', {});
    out.initializeMs = performance.now() - t0;
    out.cpuInitializeMs = cpuMsOf(client.pid);

    // didOpen: the server loads the project (reads and parses the files, resolves the imports) before it handles
    // any later message; the requests are sent once it has, as when a user hovers some time after opening the file
    const openWall = performance.now();
    const openCpu = cpuMsOf(client.pid);
    const opened = await client.notifyHandled('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    out.open = { ms: opened.at - openWall, cpuMs: cpuMsOf(client.pid) - openCpu, serverMs: opened.ms };
    const since = { wall: openWall, cpu: openCpu };

    // one request, timed from request to response (what the editor waits), then 300 ms of looking at what the
    // server still does afterwards
    const timed = async (method, params, show) => {
      const id = client.nextId;
      const c0 = cpuMsOf(client.pid);
      const w0 = performance.now();
      const result = await client.request(method, params);
      const w1 = performance.now();
      const c1 = cpuMsOf(client.pid);
      await sleep(300);
      const c2 = cpuMsOf(client.pid);
      return {
        ms: w1 - w0,
        cpuMs: c1 - c0,
        // from didOpen (or the edit) to the response: the project's load (or update) included
        wallSinceOpenMs: w1 - since.wall,
        cpuSinceOpenMs: c1 - since.cpu,
        cpuAfterMs: c2 - c1,
        // what the server's log says handling the request took
        serverMs: client.handled.find((h) => h.method === method && h.id === id)?.ms,
        text: show(result),
      };
    };
    const hoverAt = (offset) => timed('textDocument/hover', { textDocument: { uri }, position: positionOf(text, offset) }, hoverText);

    const steps = [...text.matchAll(/\.step\(/g)].map((m) => m.index);
    if (operation === 'hover') {
      const at = () => text.lastIndexOf(`const ${ident}`) + 'const '.length + 1;
      if (text.lastIndexOf(`const ${ident}`) < 0) throw new Error(`no 'const ${ident}' in ${file}`);
      out.hover = await hoverAt(at());
      // an edit: a comment line appended, as typing does; the server updates the project at the next request
      const end = positionOf(text, text.length);
      since.wall = performance.now();
      since.cpu = cpuMsOf(client.pid);
      text += '\n// edited\n';
      await client.notifyHandled('textDocument/didChange', {
        textDocument: { uri, version: 2 },
        contentChanges: [{ range: { start: end, end }, text: '\n// edited\n' }],
      });
      out.hoverAfterEdit = await hoverAt(at());
    } else if (operation === 'first') {
      const at = text.indexOf('class S0') + 'class '.length + 1;
      out.request = await hoverAt(at);
    } else {
      if (!steps.length) throw new Error(`no .step( in ${file}`);
      const mid = steps[steps.length >> 1];
      if (operation === 'chain-end') out.request = await hoverAt(steps[steps.length - 1] + 2);
      else if (operation === 'mid-step') out.request = await hoverAt(mid + 2);
      else if (operation === 'signature') out.request = await timed('textDocument/signatureHelp', { textDocument: { uri }, position: positionOf(text, mid + '.step('.length) }, signatureText);
      else throw new Error(`unknown operation '${operation}'`);
    }
    out.cpuTotalMs = cpuMsOf(client.pid);
  } finally {
    const exit = await client.close();
    out.serverExit = exit;
    out.notifications = [...new Set(client.notifications)];
    // diagnostics the server pushed by itself (it computes a file's diagnostics only when asked, with pull diagnostics)
    out.publishedDiagnostics = client.diagnostics;
  }
  return out;
}

if (require.main === module) {
  const [config, file, ident, operation = 'hover'] = process.argv.slice(2);
  if (!config || !file || !ident) {
    process.stderr.write('usage: node editor-latency-lsp.js <dir/tsconfig.json> <file> <identifier> [hover|chain-end|mid-step|signature|first]\n');
    process.exit(2);
  }
  measure(config, file, ident, operation).then(
    (out) => process.stdout.write(JSON.stringify(out) + '\n'),
    (err) => {
      process.stderr.write(`${err.stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * An editor session on one file (for tests): a fresh server rooted at `rootDir`, the file opened (the project loaded),
 * and what an editor asks: the whole text of a hover, the label of a signature help. `close()` shuts the server down.
 */
async function editorSession(rootDir, file) {
  const target = path.resolve(file);
  const text = fs.readFileSync(target, 'utf8');
  const uri = pathToFileURL(target).href;
  const client = new LspClient(nativeTsc(), ['--lsp', '--stdio'], rootDir);
  try {
    await client.request('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(rootDir).href,
      workspaceFolders: [{ uri: pathToFileURL(rootDir).href, name: path.basename(rootDir) }],
      capabilities: { textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, signatureHelp: {}, diagnostic: { dynamicRegistration: false } } },
    });
    client.notify('initialized', {});
    await client.notifyHandled('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
  } catch (err) {
    await client.close();
    throw err;
  }
  const at = (offset) => ({ textDocument: { uri }, position: positionOf(text, offset) });
  return {
    pid: client.pid,
    /** The hover's code block, its lines joined by spaces ('' when there is none). */
    async hover(offset) {
      const r = await client.request('textDocument/hover', at(offset));
      const c = r?.contents;
      const raw = !c ? '' : typeof c === 'string' ? c : Array.isArray(c) ? c.map((x) => (typeof x === 'string' ? x : x.value)).join('\n') : (c.value ?? '');
      const fence = /```\w*\n([\s\S]*?)\n```/.exec(raw);
      return (fence ? fence[1] : raw).split('\n').map((l) => l.trim()).join(' ').trim();
    },
    /** The active signature's label ('' when there is none). */
    async signature(offset) {
      const r = await client.request('textDocument/signatureHelp', at(offset));
      return r?.signatures?.length ? r.signatures[r.activeSignature ?? 0].label : '';
    },
    /** Pull diagnostics of the file: their messages. */
    async diagnostics() {
      const r = await client.request('textDocument/diagnostic', { textDocument: { uri } });
      // a full report lists every diagnostic; anything else would make "no diagnostics" mean nothing
      if (r?.kind !== 'full' || !Array.isArray(r.items)) throw new Error(`not a full diagnostic report: ${JSON.stringify(r)}`);
      return r.items.map((d) => d.message);
    },
    close: () => client.close(),
  };
}

module.exports = { nativeTsc, measure, editorSession };
