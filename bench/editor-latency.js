'use strict';
// Child process of bench/typecheck.ts: editor latency through the TypeScript language service.
// usage: node editor-latency.js <tsconfig> <file> <identifier>
// Prints one JSON line: the time of a quick info (hover) on the last occurrence of <identifier> in a fresh
// service (what an editor pays on the first hover after opening the file), and after an edit of the file.
const ts = require('typescript');
const fs = require('fs');
const path = require('path');
const [config, file, ident] = process.argv.slice(2);
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
// the program (parse, bind) is built first, so the hover measures the type work an editor does on hover
ls.getProgram();
const hover = () => {
  const pos = text.lastIndexOf(`const ${ident}`) + 'const '.length + 1;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const qi = ls.getQuickInfoAtPosition(target, pos);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, text: qi ? ts.displayPartsToString(qi.displayParts) : '' };
};
const first = hover();
// an edit: a comment appended, as typing does; the service re-checks what it must
text += '\n// edited\n';
version++;
ls.getProgram();
const second = hover();
process.stdout.write(JSON.stringify({ hoverMs: first.ms, hoverCpuMs: first.cpuMs, hoverAfterEditMs: second.ms, hoverText: first.text.split('\n')[0].slice(0, 200) }) + '\n');
