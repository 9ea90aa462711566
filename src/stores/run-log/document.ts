import type { BranchLog, Parameter, RunLog, RunStatus, StepLog } from './types';
import { parseTimestamp } from '../../util/time';
import { RunLogIntegrityError } from '../../errors';

/**
 * Mutations of a run log. Every store applies the same operations; each operation sets a value (never
 * increments), so re-applying a sequence on top of a state that already contains it is harmless.
 * `branch` is a branch internal name (`par.b1`, `map.3`), absent for the root.
 */
export type RunLogOp =
  | { op: 'status'; branch?: string; status: RunStatus }
  | { op: 'params'; branch?: string; params: Record<string, Parameter> }
  | { op: 'step'; step: StepLog }
  | { op: 'branch'; branch: Omit<BranchLog, 'steps'> }
  | { op: 'run_config'; run_config: Record<string, unknown> };

/** The branch a step belongs to: `a.b.c` → `a.b`; a root step (no dot) → undefined. */
export function parentBranchOf(stepInternalName: string): string | undefined {
  const i = stepInternalName.lastIndexOf('.');
  return i < 0 ? undefined : stepInternalName.slice(0, i);
}

/** The step a branch belongs to: `a.b` → `a`. */
export function parentStepOf(branchInternalName: string): string {
  const i = branchInternalName.lastIndexOf('.');
  if (i < 0) throw new Error(`'${branchInternalName}' is not a branch name (branch names have the form <step>.<branch>)`);
  return branchInternalName.slice(0, i);
}

type Container = { steps: Record<string, StepLog>; parameters: Record<string, Parameter>; status: RunStatus };

export function findStep(doc: RunLog, internalName: string): StepLog | undefined {
  const parent = parentBranchOf(internalName);
  const c = parent === undefined ? doc : findBranch(doc, parent);
  return c?.steps[internalName];
}

export function findBranch(doc: RunLog, branchName: string): BranchLog | undefined {
  const step = findStep(doc, parentStepOf(branchName));
  return step?.branches[branchName];
}

function container(doc: RunLog, branch: string | undefined, forWhat: string): Container {
  if (branch === undefined) return doc;
  const b = findBranch(doc, branch);
  if (!b) throw new Error(`run log ${doc.run_id}: branch '${branch}' does not exist (needed for ${forWhat})`);
  return b;
}

export function applyOp(doc: RunLog, op: RunLogOp): void {
  switch (op.op) {
    case 'status':
      container(doc, op.branch, 'a status change').status = op.status;
      return;
    case 'params':
      Object.assign(container(doc, op.branch, 'parameters').parameters, op.params);
      return;
    case 'run_config':
      doc.run_config = op.run_config;
      return;
    case 'step': {
      const parent = parentBranchOf(op.step.internal_name);
      const c = container(doc, parent, `step '${op.step.internal_name}'`);
      const existing = c.steps[op.step.internal_name];
      // Branch logs are written separately (possibly by other writers): keep the ones already there.
      c.steps[op.step.internal_name] = { ...op.step, branches: { ...(existing?.branches ?? {}), ...op.step.branches } };
      return;
    }
    case 'branch': {
      const stepName = parentStepOf(op.branch.internal_name);
      const step = findStep(doc, stepName);
      if (!step) throw new Error(`run log ${doc.run_id}: step '${stepName}' does not exist (needed for branch '${op.branch.internal_name}')`);
      const existing = step.branches[op.branch.internal_name];
      step.branches[op.branch.internal_name] = { ...op.branch, steps: existing?.steps ?? {} };
      return;
    }
  }
}

/** Calls fn for every step of a run log, depth first in run-log order (a composite step before its branches' steps). */
export function walkSteps(steps: Record<string, StepLog>, fn: (step: StepLog) => void): void {
  for (const s of Object.values(steps)) {
    fn(s);
    for (const b of Object.values(s.branches)) walkSteps(b.steps, fn);
  }
}

/** Duration of a step's last attempt in seconds (undefined when it has none). */
export function lastAttemptSeconds(s: StepLog): number | undefined {
  const last = s.attempts.at(-1);
  if (!last) return undefined;
  return last.duration_seconds ?? (parseTimestamp(last.end_time).getTime() - parseTimestamp(last.start_time).getTime()) / 1000;
}

const STATUSES = new Set(['CREATED', 'PROCESSING', 'SUCCESS', 'FAIL']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with the shape of a step log, or undefined. */
export function stepShapeProblem(s: unknown, at: string): string | undefined {
  if (!isObject(s)) return `${at} is not an object`;
  if (typeof s.internal_name !== 'string') return `${at} has no internal_name`;
  if (!STATUSES.has(s.status as string)) return `${at} has no valid status (got ${JSON.stringify(s.status)})`;
  if (!Array.isArray(s.attempts)) return `${at}.attempts is not a list`;
  for (const [i, a] of s.attempts.entries()) {
    if (!isObject(a) || typeof a.attempt_number !== 'number' || (a.status !== 'SUCCESS' && a.status !== 'FAIL')) return `${at}.attempts[${i}] is not an attempt`;
    if (!isObject(a.output_parameters) || !isObject(a.input_parameters)) return `${at}.attempts[${i}] has no input/output parameters`;
  }
  if (!isObject(s.branches)) return `${at}.branches is not an object`;
  if (!Array.isArray(s.data_catalog)) return `${at}.data_catalog is not a list`;
  return undefined;
}

/** What is wrong with a parameter map, or undefined. */
export function parametersShapeProblem(params: unknown, at: string): string | undefined {
  if (!isObject(params)) return `${at} is not an object`;
  for (const [k, p] of Object.entries(params)) {
    if (!isObject(p) || (p.kind !== 'json' && p.kind !== 'metric' && p.kind !== 'object')) return `${at}.${k} is not a parameter (no kind json/metric/object)`;
  }
  return undefined;
}

/** What is wrong with the shape of a whole run log (header, steps, branches, parameters), or undefined. */
export function runLogShapeProblem(doc: unknown, header = false): string | undefined {
  if (!isObject(doc)) return 'it is not an object';
  if (typeof doc.run_id !== 'string') return "it has no 'run_id'";
  if (!STATUSES.has(doc.status as string)) return `it has no valid 'status' (got ${JSON.stringify(doc.status)})`;
  if (!isObject(doc.run_config)) return "its 'run_config' is not an object";
  if (header) return undefined;
  const p = parametersShapeProblem(doc.parameters, 'parameters');
  if (p) return p;
  if (!isObject(doc.steps)) return "its 'steps' is not an object";
  const walk = (steps: Record<string, unknown>, at: string): string | undefined => {
    for (const [k, s] of Object.entries(steps)) {
      const problem = stepShapeProblem(s, `${at}.${k}`);
      if (problem) return problem;
      for (const [bk, b] of Object.entries((s as { branches: Record<string, unknown> }).branches)) {
        if (!isObject(b) || !isObject(b.steps) || !STATUSES.has(b.status as string)) return `${at}.${k}.branches.${bk} is not a branch log`;
        const bp = parametersShapeProblem(b.parameters, `${at}.${k}.branches.${bk}.parameters`);
        if (bp) return bp;
        const inner = walk(b.steps, `${at}.${k}.branches.${bk}.steps`);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return walk(doc.steps, 'steps');
}

/** Throws RunLogIntegrityError when `doc` (read from `where`) does not have the shape of a run log. */
export function assertRunLogShape(doc: unknown, where: string): asserts doc is RunLog {
  const problem = runLogShapeProblem(doc);
  if (problem) {
    throw new RunLogIntegrityError(
      `The run log ${where} is damaged: ${problem}. It was edited, truncated or written by something else; restore it from a backup, or start a new run.`,
    );
  }
}
