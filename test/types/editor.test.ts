/**
 * What an editor shows for typed pipelines, through the TypeScript language service: a built pipeline hovers as a
 * readable `Pipeline<parameters, outputs>`, and signature help of valid calls shows no error types (no '✖', no
 * NoInfer<…>, no `${string}` placeholders, no \u2716 escapes). The same, word for word, through TypeScript 7's
 * language server (`tsc --lsp --stdio`, what an editor with TypeScript 7 talks to; the client is the bench's).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { projectCompilerOptions, ROOT } from './type-check';

const FILE = path.join(ROOT, 'test', 'fixtures', 'editor', 'hover.ts');
const text = fs.readFileSync(FILE, 'utf8');

function languageService(): ts.LanguageService {
  const options = projectCompilerOptions();
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [FILE],
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) => (fs.existsSync(f) ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, 'utf8')) : undefined),
    getCurrentDirectory: () => ROOT,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  return ts.createLanguageService(host);
}

let ls: ts.LanguageService;
beforeAll(() => {
  ls = languageService();
});

function marker(kind: 'hover' | 'sig', name: string): number {
  const m = `/*${kind}:${name}*/`;
  const at = text.indexOf(m);
  if (at < 0) throw new Error(`marker ${m} not found in ${FILE}`);
  return kind === 'hover' ? at - 1 : at + m.length;
}

function hover(name: string): string {
  const qi = ls.getQuickInfoAtPosition(FILE, marker('hover', name));
  return qi ? ts.displayPartsToString(qi.displayParts) : '';
}

function signature(name: string): string {
  const help = ls.getSignatureHelpItems(FILE, marker('sig', name), undefined);
  if (!help) return '';
  const item = help.items[help.selectedItemIndex]!;
  return [
    ts.displayPartsToString(item.prefixDisplayParts),
    item.parameters.map((p) => ts.displayPartsToString(p.displayParts)).join(', '),
    ts.displayPartsToString(item.suffixDisplayParts),
  ].join('');
}

const ARTEFACTS = [/✖/, /NoInfer</, /\$\{string\}/, /\\u2716/];

it('the fixture has no diagnostics', () => {
  const diags = [...ls.getSyntacticDiagnostics(FILE), ...ls.getSemanticDiagnostics(FILE)];
  expect(diags.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
});

it('a built pipeline hovers as Pipeline<parameters, what its steps write, its steps (for typed mocks)>', () => {
  const shown = hover('built').replace(/\s+/g, ' ');
  expect(shown).toBe(
    'const built: Pipeline<{ test_size?: number; }, { df: Frame; n_train: number; }, Step<"load", {}, { df: Frame; }> | Step<"split", { df: Frame; test_size?: number; }, { n_train: number; }>>',
  );
});

it('a step whose name the compiler cannot see (a class without { name }) is listed by its outputs only', () => {
  expect(hover('unnamed').replace(/\s+/g, ' ')).toBe('const unnamed: Pipeline<{}, { score: number; }, Step<string, unknown, { score: number; }>>');
});

it.each(['step-options', 'map-options', 'parallel-branches'])('signature help of a valid call (%s) shows no error types', (name) => {
  const shown = signature(name);
  expect(shown).not.toBe('');
  for (const re of ARTEFACTS) expect(shown).not.toMatch(re);
});

it('the onFailure option reads as a plain Pipeline until one is given', () => {
  expect(signature('step-options')).toContain('onFailure?: Pipeline<any, any, any> | undefined');
});

interface EditorSession {
  hover(offset: number): Promise<string>;
  signature(offset: number): Promise<string>;
  diagnostics(): Promise<string[]>;
  close(): Promise<{ code: number | null; signal: string | null; killed: boolean }>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { editorSession } = require('../../bench/editor-latency-lsp.js') as { editorSession: (rootDir: string, file: string) => Promise<EditorSession> };

describe('TypeScript 7, through its language server', () => {
  let session: EditorSession;
  beforeAll(async () => {
    session = await editorSession(ROOT, FILE);
  }, 120_000);
  afterAll(async () => {
    const exit = await session?.close();
    // it exits by itself after shutdown and exit (7.0.2 with code 1), not killed
    expect(exit?.killed).toBe(false);
  });

  it('the fixture has no diagnostics', async () => {
    expect(await session.diagnostics()).toEqual([]);
  });

  it('a built pipeline hovers exactly as with TypeScript 5', async () => {
    expect(await session.hover(marker('hover', 'built'))).toBe(hover('built').replace(/\s+/g, ' '));
    expect(await session.hover(marker('hover', 'unnamed'))).toBe(hover('unnamed').replace(/\s+/g, ' '));
  });

  it.each(['step-options', 'map-options', 'parallel-branches'])('signature help of a valid call (%s) shows no error types', async (name) => {
    const shown = await session.signature(marker('sig', name));
    expect(shown).not.toBe('');
    for (const re of ARTEFACTS) expect(shown).not.toMatch(re);
  });

  it('the onFailure option reads as a plain Pipeline until one is given', async () => {
    expect(await session.signature(marker('sig', 'step-options'))).toContain('onFailure?: Pipeline<any, any, any> | undefined');
  });
});
