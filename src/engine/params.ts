import * as fs from 'node:fs';
import { parseYamlWithKeyLines } from '../util/yaml';
import { ParameterError } from '../errors';
import type { Parameter } from '../stores/run-log/types';

export type ParameterSource = 'default' | `file:${string}` | `env:${string}`;

export const PARAM_ENV_PREFIX = 'RUNNABLE_PRM_';

/** The run log's short description of a value: strings longer than 10 characters are cut, objects named. */
export function describeValue(kind: Parameter['kind'], value: unknown): string {
  if (kind === 'object') return `Pickled object stored in catalog as: ${String(value)}`;
  if (typeof value === 'string') return value.length > 10 ? `${value.slice(0, 10)}...` : value;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

/** Names every JavaScript object has (or treats specially): a parameter of that name would be lost or pollute. */
export const RESERVED_PARAMETER_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/** Throws a ParameterError when `name` cannot be a parameter name. `from` says where it came from. */
export function checkParameterName(name: string, from: string): void {
  if (RESERVED_PARAMETER_NAMES.includes(name)) {
    throw new ParameterError(
      `Parameter name '${name}' (from ${from}) is not allowed: ${RESERVED_PARAMETER_NAMES.join(', ')} are reserved by JavaScript objects, so the value would be lost. Rename the parameter.`,
    );
  }
}

export function jsonParameter(value: unknown, kind: 'json' | 'metric' = 'json'): Parameter {
  return { kind, value, description: describeValue(kind, value) };
}

/** Reads a YAML/JSON parameters file (a mapping of names to values), with the line of each top-level key (for messages: `params.yaml:3`). */
export function readParametersFileWithLines(file: string): { data: Record<string, unknown>; lines: Record<string, number> } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ParameterError(`Cannot read the parameters file '${file}': ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (err as Error).message}`);
  }
  let parsed: { data: unknown; lines: Record<string, number> };
  try {
    parsed = parseYamlWithKeyLines(text);
  } catch (err) {
    throw new ParameterError(`The parameters file '${file}' is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const { data, lines } = parsed;
  if (data === null || data === undefined) return { data: {}, lines: {} };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ParameterError(`The parameters file '${file}' must contain a mapping of parameter names to values (e.g. 'test_size: 0.2'), not ${Array.isArray(data) ? 'a list' : typeof data}`);
  }
  return { data: data as Record<string, unknown>, lines };
}

/**
 * `RUNNABLE_PRM_<name>` variables: the value is JSON-parsed when it parses, else kept as the raw string (`json:
 * false`). Names keep their case.
 */
export function parametersFromEnv(env: NodeJS.ProcessEnv): { name: string; value: unknown; variable: string; raw: string; json: boolean }[] {
  const out: { name: string; value: unknown; variable: string; raw: string; json: boolean }[] = [];
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.startsWith(PARAM_ENV_PREFIX) || raw === undefined) continue;
    const name = variable.slice(PARAM_ENV_PREFIX.length);
    if (!name) continue;
    let value: unknown = raw;
    let json = true;
    try {
      value = JSON.parse(raw);
    } catch {
      json = false; // not JSON: the literal string
    }
    out.push({ name, value, variable, raw, json });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
