import type { Manifest } from './transpile';

/**
 * The checks Argo's JSON Schema cannot do (what `argo lint` would find): name rules and lengths, template
 * references, the entrypoint, `depends` names and cycles, and every `{{...}}` reference resolvable where it is used.
 * Returns the problems, each naming where it is; [] when the manifest is clean.
 */
export function lintWorkflow(doc: Manifest): string[] {
  const problems: string[] = [];
  const NAME = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;
  const PARAM = /^[-a-zA-Z0-9_]+$/;
  if (doc.apiVersion !== 'argoproj.io/v1alpha1') problems.push(`apiVersion must be argoproj.io/v1alpha1, got ${JSON.stringify(doc.apiVersion)}`);
  if (doc.kind !== 'Workflow' && doc.kind !== 'CronWorkflow') return [...problems, `kind must be Workflow or CronWorkflow, got ${JSON.stringify(doc.kind)}`];
  const spec: Manifest | undefined = doc.kind === 'CronWorkflow' ? doc.spec?.workflowSpec : doc.spec;
  if (!spec) return [...problems, 'the manifest has no workflow spec'];
  if (doc.kind === 'CronWorkflow' && !(typeof doc.metadata?.name === 'string' && NAME.test(doc.metadata.name) && doc.metadata.name.length <= 52)) {
    problems.push(`CronWorkflow metadata.name ${JSON.stringify(doc.metadata?.name)} must be a valid name of at most 52 characters`);
  }
  const templates = new Map<string, Manifest>();
  for (const t of spec.templates ?? []) {
    if (typeof t.name !== 'string' || !NAME.test(t.name) || t.name.length > 128) problems.push(`template name ${JSON.stringify(t.name)} must match ${NAME} and be at most 128 characters`);
    if (templates.has(t.name)) problems.push(`template '${t.name}' is defined twice`);
    templates.set(t.name, t);
  }
  if (!templates.has(spec.entrypoint)) problems.push(`entrypoint '${spec.entrypoint}' is not a template`);
  const workflowParams = new Set<string>();
  for (const p of spec.arguments?.parameters ?? []) {
    if (!PARAM.test(p.name)) problems.push(`workflow parameter name '${p.name}' must match ${PARAM}`);
    workflowParams.add(p.name);
  }
  const GLOBALS = new Set(['workflow.name', 'workflow.uid', 'workflow.namespace', 'workflow.serviceAccountName', 'workflow.creationTimestamp']);

  /** Every `{{x}}` in a value (strings inside objects and arrays too). */
  const refs = (value: unknown, out: string[] = []): string[] => {
    if (typeof value === 'string') for (const m of value.matchAll(/\{\{([^}]*)\}\}/g)) out.push(m[1]!.trim());
    else if (Array.isArray(value)) value.forEach((v) => refs(v, out));
    else if (value && typeof value === 'object') Object.values(value).forEach((v) => refs(v, out));
    return out;
  };
  const inputsOf = (t: Manifest) => new Set<string>((t.inputs?.parameters ?? []).map((p: Manifest) => p.name));
  const outputsOf = (t: Manifest | undefined) => new Set<string>((t?.outputs?.parameters ?? []).map((p: Manifest) => p.name));
  const checkRef = (ref: string, where: string, ctx: { inputs: Set<string>; tasks?: Map<string, Manifest>; ancestors?: Set<string>; item?: boolean }) => {
    let m: RegExpMatchArray | null;
    if ((m = /^inputs\.parameters\.(.+)$/.exec(ref))) {
      if (!ctx.inputs.has(m[1]!)) problems.push(`${where}: {{${ref}}} names no input parameter of its template`);
    } else if ((m = /^workflow\.parameters\.(.+)$/.exec(ref))) {
      if (!workflowParams.has(m[1]!)) problems.push(`${where}: {{${ref}}} names no workflow argument`);
    } else if ((m = /^tasks\.([^.]+)\.outputs\.parameters\.(.+)$/.exec(ref))) {
      const task = ctx.tasks?.get(m[1]!);
      if (!task) problems.push(`${where}: {{${ref}}} names no task of this DAG`);
      else if (!ctx.ancestors?.has(m[1]!)) problems.push(`${where}: {{${ref}}} uses task '${m[1]}', which this task does not depend on`);
      else if (!outputsOf(templates.get(task.template)).has(m[2]!)) problems.push(`${where}: {{${ref}}}: template '${task.template}' has no output parameter '${m[2]}'`);
    } else if ((m = /^tasks\.([^.]+)\.status$/.exec(ref))) {
      if (!ctx.tasks?.has(m[1]!)) problems.push(`${where}: {{${ref}}} names no task of this DAG`);
      else if (!ctx.ancestors?.has(m[1]!)) problems.push(`${where}: {{${ref}}} uses task '${m[1]}', which this task does not depend on`);
    } else if (ref === 'item' || ref.startsWith('item.')) {
      if (!ctx.item) problems.push(`${where}: {{${ref}}} is used outside a withParam/withItems task`);
    } else if (!GLOBALS.has(ref)) problems.push(`${where}: {{${ref}}} is not a variable Argo resolves here`);
  };

  for (const t of templates.values()) {
    const inputs = inputsOf(t);
    for (const p of t.inputs?.parameters ?? []) if (!PARAM.test(p.name)) problems.push(`template '${t.name}': input parameter name '${p.name}' must match ${PARAM}`);
    for (const p of t.outputs?.parameters ?? []) if (!PARAM.test(p.name)) problems.push(`template '${t.name}': output parameter name '${p.name}' must match ${PARAM}`);
    if (t.container) for (const r of refs([t.container, t.outputs])) checkRef(r, `template '${t.name}'`, { inputs });
    if (!t.dag) continue;
    const tasks = new Map<string, Manifest>();
    const usesDepends = (t.dag.tasks ?? []).some((x: Manifest) => x.depends || x.dependencies);
    for (const task of t.dag.tasks ?? []) {
      if (typeof task.name !== 'string' || !NAME.test(task.name) || task.name.length > 128) problems.push(`template '${t.name}': task name ${JSON.stringify(task.name)} must match ${NAME} and be at most 128 characters`);
      if (tasks.has(task.name)) problems.push(`template '${t.name}': task '${task.name}' is defined twice`);
      if (usesDepends && /^[0-9]/.test(task.name ?? '')) problems.push(`template '${t.name}': task name '${task.name}' cannot begin with a digit in a DAG using depends`);
      tasks.set(task.name, task);
    }
    const deps = new Map<string, string[]>();
    for (const task of tasks.values()) {
      const where = `template '${t.name}', task '${task.name}'`;
      const target = templates.get(task.template);
      if (!target) problems.push(`${where}: template '${task.template}' does not exist`);
      const names: string[] = [];
      const expr = typeof task.depends === 'string' ? task.depends : '';
      const stripped = expr.replace(/\b([a-zA-Z0-9][-a-zA-Z0-9]*)(\.(Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed))?/g, (_m, name: string) => {
        names.push(name);
        return 'x';
      });
      if (!/^[x\s()&|!]*$/.test(stripped)) problems.push(`${where}: depends '${expr}' is not an expression of <task>.<Result> with && || ! and parentheses`);
      for (const n of names) if (!tasks.has(n)) problems.push(`${where}: depends names '${n}', which is not a task of this DAG`);
      deps.set(task.name, names);
      const given = new Set<string>();
      for (const p of task.arguments?.parameters ?? []) {
        if (!PARAM.test(p.name)) problems.push(`${where}: argument name '${p.name}' must match ${PARAM}`);
        given.add(p.name);
      }
      if (target) {
        for (const p of target.inputs?.parameters ?? []) if (!given.has(p.name) && p.value === undefined && p.default === undefined) problems.push(`${where}: template '${target.name}' needs input '${p.name}', which the task does not pass`);
        for (const g of given) if (!inputsOf(target).has(g)) problems.push(`${where}: passes '${g}', which template '${target.name}' does not declare`);
      }
    }
    // cycles, and each task's ancestors (what its {{tasks.X...}} may use)
    const ancestors = new Map<string, Set<string>>();
    const visiting = new Set<string>();
    const walk = (n: string): Set<string> => {
      const known = ancestors.get(n);
      if (known) return known;
      if (visiting.has(n)) {
        problems.push(`template '${t.name}': the depends of task '${n}' form a cycle`);
        return new Set();
      }
      visiting.add(n);
      const all = new Set<string>();
      for (const d of deps.get(n) ?? []) {
        if (!tasks.has(d)) continue;
        all.add(d);
        for (const a of walk(d)) all.add(a);
      }
      visiting.delete(n);
      ancestors.set(n, all);
      return all;
    };
    // a DAG's outputs read its tasks when they have all ended; Argo's validator knows no {{tasks.X.status}} there
    for (const r of refs([t.outputs])) {
      if (/^tasks\.[^.]+\.status$/.test(r)) problems.push(`template '${t.name}' outputs: {{${r}}} is not resolvable in a DAG's outputs (use valueFrom.expression: 'tasks.X.status')`);
      else checkRef(r, `template '${t.name}' outputs`, { inputs, tasks, ancestors: new Set(tasks.keys()) });
    }
    for (const p of t.outputs?.parameters ?? []) {
      const expr: unknown = p.valueFrom?.expression;
      if (typeof expr !== 'string') continue;
      for (const m of expr.matchAll(/\btasks\.([A-Za-z0-9_-]+)/g)) {
        if (!tasks.has(m[1]!)) problems.push(`template '${t.name}' outputs: expression '${expr}' names no task '${m[1]}' of this DAG`);
        else if (m[1]!.includes('-')) problems.push(`template '${t.name}' outputs: expression '${expr}': a task name with '-' must be written tasks['${m[1]}']`);
      }
    }
    for (const task of tasks.values()) {
      const where = `template '${t.name}', task '${task.name}'`;
      const item = task.withParam !== undefined || task.withItems !== undefined;
      const ctx = { inputs, tasks, ancestors: walk(task.name) };
      for (const r of refs([task.arguments])) checkRef(r, where, { ...ctx, item });
      for (const r of refs([task.when, task.withParam])) checkRef(r, where, ctx);
    }
  }
  // every template reachable from the entrypoint (an unreachable one is a transpiler bug)
  const reached = new Set<string>();
  const visit = (name: string) => {
    if (reached.has(name) || !templates.has(name)) return;
    reached.add(name);
    for (const task of templates.get(name)!.dag?.tasks ?? []) visit(task.template);
  };
  visit(spec.entrypoint);
  for (const name of templates.keys()) if (!reached.has(name)) problems.push(`template '${name}' is never used`);
  return problems;
}
