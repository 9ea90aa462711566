/** YAML parsing, loaded on first use: the `yaml` package costs tens of milliseconds at start-up otherwise. */
let yaml: typeof import('yaml') | undefined;

function load(): typeof import('yaml') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (yaml ??= require('yaml') as typeof import('yaml'));
}

export function parseYaml(text: string): unknown {
  return load().parse(text);
}

/**
 * Parses YAML/JSON as `parseYaml` does (the first error thrown), read once, with the 1-based line of each top-level
 * key of a mapping (for messages that point into the file; keys that are not plain scalars are left out).
 */
export function parseYamlWithKeyLines(text: string): { data: unknown; lines: Record<string, number> } {
  const y = load();
  const lineCounter = new y.LineCounter();
  const doc = y.parseDocument(text, { lineCounter });
  if (doc.errors.length) throw doc.errors[0];
  const lines: Record<string, number> = Object.create(null) as Record<string, number>;
  if (y.isMap(doc.contents)) {
    for (const item of doc.contents.items) {
      const key = item.key;
      if (y.isScalar(key) && key.range) lines[String(key.value)] = lineCounter.linePos(key.range[0]).line;
    }
  }
  return { data: doc.toJS(), lines };
}
