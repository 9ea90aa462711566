/** YAML parsing, loaded on first use: the `yaml` package costs tens of milliseconds at start-up otherwise. */
let yaml: typeof import('yaml') | undefined;

export function parseYaml(text: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yaml ??= require('yaml') as typeof import('yaml');
  return yaml.parse(text);
}

/**
 * The 1-based line of each top-level key of a YAML/JSON mapping (for messages that point into the file); empty when
 * the text is not a mapping. Keys that are not plain scalars are left out.
 */
export function yamlKeyLines(text: string): Record<string, number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yaml ??= require('yaml') as typeof import('yaml');
  const lineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter });
  const lines: Record<string, number> = Object.create(null) as Record<string, number>;
  if (!yaml.isMap(doc.contents)) return lines;
  for (const item of doc.contents.items) {
    const key = item.key;
    if (yaml.isScalar(key) && key.range) lines[String(key.value)] = lineCounter.linePos(key.range[0]).line;
  }
  return lines;
}
