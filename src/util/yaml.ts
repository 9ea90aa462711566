/** YAML parsing, loaded on first use: the `yaml` package costs tens of milliseconds at start-up otherwise. */
let yaml: typeof import('yaml') | undefined;

export function parseYaml(text: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yaml ??= require('yaml') as typeof import('yaml');
  return yaml.parse(text);
}
