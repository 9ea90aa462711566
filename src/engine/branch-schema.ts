import { canonicalJson, type Graph } from '../graph/graph';
import type { RunContext, Scope } from './context';
import { pathText, schemaNames } from './param-check';
import { loadValue } from './values';
import { showValue } from '../util/show';

const show = (v: unknown) => showValue(v, 60);

/**
 * A branch pipeline's own parameter schema (`pipeline('b').params(schema)` used as a map, parallel, conditional or
 * loop branch), where one of its branches is about to start. A branch's values are its parent's, which the compiler
 * checked against the schema's input type; the engine does not convert them. So the values the branch will read
 * for the names the schema declares (its own values, such as a map item, else the parent's, else the branch
 * pipeline's defaults) must pass the schema unchanged: a value it refuses, converts, or a default it would fill in
 * is a problem, and the composite fails before any of its branches starts. [] when the pipeline has no schema.
 */
export async function branchSchemaProblems(
  ctx: RunContext,
  graph: Graph,
  parent: Scope,
  own: Readonly<Record<string, unknown>>,
  /** The parent's values already loaded (the items of a map share them: a pickled one is read once). */
  loaded: Map<string, unknown> = new Map(),
): Promise<string[]> {
  const schema = graph.schema;
  if (!schema) return [];
  const input: Record<string, unknown> = {};
  for (const name of await schemaNames(schema)) {
    const p = parent.get(name);
    if (name in own) input[name] = own[name];
    else if (p) {
      if (!loaded.has(name)) loaded.set(name, await loadValue(ctx, name, p));
      input[name] = loaded.get(name);
    } else if (graph.defaults[name] !== undefined) input[name] = graph.defaults[name];
  }
  let result = schema['~standard'].validate(input);
  if (result instanceof Promise) result = await result;
  if (result.issues) {
    return result.issues.map((issue) => {
      const { top, text } = pathText(issue);
      const got = top !== undefined && top in input ? ` (got ${show(input[top])})` : '';
      return `${text || '(parameters)'}: ${issue.message}${got}`;
    });
  }
  const output = (result.value ?? {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of new Set([...Object.keys(input), ...Object.keys(output)])) {
    if (canonicalJson(input[name] ?? null) === canonicalJson(output[name] ?? null)) continue;
    problems.push(
      name in input
        ? `${name}: the schema turns ${show(input[name])} into ${show(output[name])}, and a branch does not convert its values: give it ${show(output[name])}`
        : `${name}: not given, and a branch does not fill in the schema's default (${show(output[name])}): give it a value`,
    );
  }
  return problems;
}

/** The message of a composite whose branch pipeline refuses the values of one or more of its branches. */
export function branchSchemaRefusal(composite: string, graph: Graph, problems: readonly { branch: string; problems: readonly string[] }[]): string {
  const listed = problems.slice(0, 3).map((p) => `'${p.branch}': ${p.problems.join('; ')}`);
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  return (
    `${composite}: the params schema of branch pipeline '${graph.name}' refuses the values of ${problems.length === 1 ? 'branch' : `${problems.length} branches`} ${listed.join('; ')}${more}. ` +
    `Nothing of it ran. A branch gets its parent's values as they are: fix them upstream, or declare the branch's parameters with plain types (.params<{ ... }>()).`
  );
}
