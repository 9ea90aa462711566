import { NotSerializableError, ReturnsMismatchError } from '../errors';
import type { ReturnSpec } from '../sdk/returns';
import { findUnserializable } from '../serialization';

/** Describes why `value` is not a JSON value, or undefined when it is. */
export function findNonJson(value: unknown, path: string, seen = new Set<object>()): string | undefined {
  const at = path;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${value} at ${at} (JSON has no NaN or Infinity)`;
    case 'undefined':
      return `undefined at ${at}`;
    case 'bigint':
      return `a bigint at ${at}`;
    case 'function':
      return `a function at ${at}`;
    case 'symbol':
      return `a symbol at ${at}`;
  }
  if (value === null) return undefined;
  const obj = value as object;
  if (seen.has(obj)) return `a circular reference at ${at}`;
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      for (let i = 0; i < obj.length; i++) {
        const p = findNonJson(obj[i], `${path}[${i}]`, seen);
        if (p) return p;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) return `an instance of ${proto?.constructor?.name ?? 'a class'} at ${at}`;
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined) continue; // dropped by JSON, like an absent key
      const p = findNonJson(v, `${path}.${k}`, seen);
      if (p) return p;
    }
    return undefined;
  } finally {
    seen.delete(obj);
  }
}

/**
 * Checks what a step's run() returned against its declared returns (the same rules the compiler enforces,
 * checked again at run time for JavaScript callers and `any`). Throws a typed error naming the step and return.
 */
export function checkReturns(step: string, returns: readonly ReturnSpec[], result: unknown): Record<string, unknown> {
  if (returns.length === 0) {
    const empty = typeof result === 'object' && result !== null && !Array.isArray(result) && Object.keys(result).length === 0;
    if (result !== undefined && result !== null && !empty) {
      throw new ReturnsMismatchError(`Step '${step}' returned a value but declares no returns; declare them ({ returns: ['name', pickled('other')] }) or return nothing.`);
    }
    return {};
  }
  const names = returns.map((r) => r.name);
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw new ReturnsMismatchError(
      `Step '${step}' must return an object keyed by its declared returns { ${names.join(', ')} }, but returned ${Array.isArray(result) ? 'an array' : result === null ? 'null' : typeof result}.`,
    );
  }
  const out = result as Record<string, unknown>;
  const missing = names.filter((n) => !(n in out));
  if (missing.length) {
    throw new ReturnsMismatchError(`Step '${step}' did not return ${missing.map((m) => `'${m}'`).join(', ')} (declared in returns). Add ${missing.length > 1 ? 'them' : 'it'} to the object run() returns.`);
  }
  const extra = Object.keys(out).filter((k) => !names.includes(k));
  if (extra.length) {
    throw new ReturnsMismatchError(`Step '${step}' returned ${extra.map((m) => `'${m}'`).join(', ')}, which ${extra.length > 1 ? 'are' : 'is'} not declared in returns. Declare ${extra.length > 1 ? 'them' : 'it'} or stop returning ${extra.length > 1 ? 'them' : 'it'}.`);
  }
  for (const r of returns) {
    const v = out[r.name];
    if (r.kind === 'metric') {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new ReturnsMismatchError(`Step '${step}': metric('${r.name}') must be a finite number, got ${typeof v === 'number' ? v : typeof v}.`);
      }
    } else if (r.kind === 'json') {
      const p = findNonJson(v, r.name);
      if (p) throw new ReturnsMismatchError(`Step '${step}': return '${r.name}' is not a JSON value (${p}). Declare it as pickled('${r.name}') to store it in the catalog.`);
    } else {
      const p = findUnserializable(v, r.name);
      if (p) throw new NotSerializableError(`Step '${step}': pickled('${r.name}') cannot be stored: it contains ${p}.`);
    }
  }
  return out;
}
