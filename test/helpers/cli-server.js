'use strict';
// A warm `runnable` CLI for end-to-end tests: a child process that runs `main(argv)` for each request it receives
// over IPC, as `bin/runnable.js` would in a fresh process. Starting Node and loading the CLI's dependencies is most
// of the cost of a short CLI call, and the end-to-end suites make hundreds of them.
//
// What keeps a request equivalent to a fresh process:
// - the environment is replaced by the request's, the working folder changed to the request's, and process.argv
//   is the command line a fresh process would have;
// - the IPC channel is unref'd while a request runs, so the event loop empties (and `beforeExit` fires) exactly
//   when it would in a fresh process: the step guard's "the event loop emptied while a step was pending" and the
//   CLI's "the file started no run" checks behave the same;
// - if the request ends the process (process.exit, a crash, the CLI's own exit after abandoned step code), the
//   parent reports that exit as the call's result and starts another server: nothing survives a fatal request;
// - after a request, the listeners it added to `process` are removed, and every module but the dependencies in
//   node_modules leaves the require cache: the user's files are read and compiled again next time, and the library
//   starts with fresh state (its registries, e.g. of @Serializable classes) as in a new process. Kept: the modules
//   that patch process-wide things once (the .ts loader, stdout capture, the step environment overlay) and the
//   error classes the loader throws, so that they are patched once, as in a process, and `instanceof` still holds.
// stdout and stderr are the server's own pipes (synchronous on Linux); each request's output ends with a marker.
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/runnable.js');
const LIB = path.join(ROOT, 'lib') + path.sep;
const KEEP = new Set(['loader.js', 'errors.js', 'engine/capture.js', 'engine/env-overlay.js'].map((f) => path.join(LIB, f)));
const MARK = '\u0000runnable-cli-server-done\u0000';
const EVENTS = ['SIGINT', 'SIGTERM', 'unhandledRejection', 'uncaughtException', 'beforeExit', 'exit', 'warning'];

// Each request compiles the library's modules again; V8's code cache (kept here per file) makes that a fraction of
// the first compile. The wrapper and arguments are those of Node's CommonJS loader.
const codeCache = new Map();
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  if (!filename.startsWith(LIB)) return compile.call(this, content, filename);
  const cached = codeCache.get(filename);
  const script = new vm.Script(Module.wrap(content), { filename, cachedData: cached });
  const fn = script.runInThisContext();
  const mod = this;
  const req = function require(id) {
    return mod.require(id);
  };
  req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  req.cache = Module._cache;
  req.main = require.main;
  req.extensions = Module._extensions;
  const result = fn.call(mod.exports, mod.exports, req, mod, filename, path.dirname(filename));
  if (!cached || script.cachedDataRejected) codeCache.set(filename, script.createCachedData());
  return result;
};

for (const f of KEEP) require(f);
// Load the dependencies (commander, yaml, swc...) once; the library itself is loaded afresh by each request.
require(path.join(LIB, 'cli/main.js'));

process.on('disconnect', () => process.exit(0));

function forget() {
  for (const id of Object.keys(require.cache)) {
    if (!KEEP.has(id) && !id.split(path.sep).includes('node_modules')) delete require.cache[id];
  }
  const cache = Module._pathCache;
  if (cache) for (const k of Object.keys(cache)) delete cache[k];
}

process.on('message', (req) => {
  void serve(req);
});

async function serve(req) {
  process.channel.unref();
  const before = new Map(EVENTS.map((e) => [e, process.listeners(e)]));
  for (const k of Object.keys(process.env)) if (!(k in req.env)) delete process.env[k];
  Object.assign(process.env, req.env);
  process.chdir(req.cwd);
  process.exitCode = undefined;
  const argv = process.argv;
  process.argv = [process.execPath, BIN, ...req.args];
  let code;
  try {
    code = await require(path.join(LIB, 'cli/main.js')).main(process.argv.slice());
  } catch (err) {
    process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
    code = 2;
  }
  process.argv = argv;
  process.exitCode = code;
  // The CLI exits on a 0 ms timer when a step's code is still running after the run ended: let that happen here,
  // before answering, so such a server never takes another request.
  await new Promise((resolve) => setTimeout(resolve, 5));
  for (const e of EVENTS) {
    const kept = before.get(e);
    for (const l of process.listeners(e)) if (!kept.includes(l)) process.removeListener(e, l);
  }
  forget();
  process.exitCode = undefined;
  process.stdout.write(MARK);
  process.stderr.write(MARK);
  process.channel.ref();
  process.send({ code });
}

forget();
