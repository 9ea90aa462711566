'use strict';
// Child process of bench/typecheck.ts: editor latency through the TypeScript language service.
// usage: node editor-latency.js <tsconfig> <file> <identifier> [operation]
// operation (default 'hover'):
//   hover      quick info on the last `const <identifier>` (the built pipeline), then again after an edit of the file
//   chain-end  quick info on the last `.step` of the chain (the builder just before `.build()`)
//   mid-step   quick info on the `.step` in the middle of the chain (an intermediate builder)
//   signature  signature help inside the middle `.step(` (what the editor shows while typing its argument)
//   first      quick info on the first class name (`S0`): a request that needs almost no type work (the floor)
// Prints one JSON line. Each run uses a fresh service (what an editor pays on the first request after opening the
// file); the program (parse, bind) is built first, so the figures are the type work the request needs.
const ts = require('typescript');
const fs = require('fs');
const path = require('path');
const [config, file, ident, operation = 'hover'] = process.argv.slice(2);
const read = ts.readConfigFile(config, ts.sys.readFile);
const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(config));
let text = fs.readFileSync(file, 'utf8');
let version = 1;
const target = path.resolve(file);
const host = {
  getScriptFileNames: () => parsed.fileNames,
  getScriptVersion: (f) => (path.resolve(f) === target ? String(version) : '1'),
  getScriptSnapshot: (f) => {
    if (path.resolve(f) === target) return ts.ScriptSnapshot.fromString(text);
    return fs.existsSync(f) ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, 'utf8')) : undefined;
  },
  getCurrentDirectory: () => path.dirname(config),
  getCompilationSettings: () => parsed.options,
  getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
  fileExists: ts.sys.fileExists,
  readFile: ts.sys.readFile,
  readDirectory: ts.sys.readDirectory,
  directoryExists: ts.sys.directoryExists,
  getDirectories: ts.sys.getDirectories,
};
const ls = ts.createLanguageService(host, ts.createDocumentRegistry());
ls.getProgram();

function timed(request) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const shown = request();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, text: shown };
}
const quickInfo = (pos) => () => {
  const qi = ls.getQuickInfoAtPosition(target, pos);
  return qi ? ts.displayPartsToString(qi.displayParts) : '';
};
const signatureHelp = (pos) => () => {
  const help = ls.getSignatureHelpItems(target, pos, undefined);
  if (!help) return '';
  const item = help.items[help.selectedItemIndex];
  return ts.displayPartsToString(item.prefixDisplayParts) + item.parameters.map((p) => ts.displayPartsToString(p.displayParts)).join(', ') + ts.displayPartsToString(item.suffixDisplayParts);
};
const firstLine = (s) => s.split('\n')[0].slice(0, 200);
const steps = [...text.matchAll(/\.step\(/g)].map((m) => m.index);

if (operation === 'hover') {
  const pos = () => text.lastIndexOf(`const ${ident}`) + 'const '.length + 1;
  const first = timed(quickInfo(pos()));
  // an edit: a comment appended, as typing does; the service re-checks what it must
  text += '\n// edited\n';
  version++;
  ls.getProgram();
  const second = timed(quickInfo(pos()));
  process.stdout.write(JSON.stringify({ hoverMs: first.ms, hoverCpuMs: first.cpuMs, hoverAfterEditMs: second.ms, hoverAfterEditCpuMs: second.cpuMs, hoverText: firstLine(first.text) }) + '\n');
} else {
  if (!steps.length) throw new Error(`no .step( in ${file}`);
  const mid = steps[steps.length >> 1];
  const r =
    operation === 'first'
      ? timed(quickInfo(text.indexOf('class S0') + 'class '.length + 1))
      : operation === 'chain-end'
      ? timed(quickInfo(steps[steps.length - 1] + 2))
      : operation === 'mid-step'
        ? timed(quickInfo(mid + 2))
        : operation === 'signature'
          ? timed(signatureHelp(mid + '.step('.length))
          : undefined;
  if (!r) throw new Error(`unknown operation '${operation}'`);
  process.stdout.write(JSON.stringify({ ms: r.ms, cpuMs: r.cpuMs, text: firstLine(r.text) }) + '\n');
}
