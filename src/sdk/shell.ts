import type { FnTask, StepOptions, TaskDefinition } from './task';
import { pickStepOptions, validateName, validateReturns } from './task';
import { normalizeReturns } from './returns';
import { TaskDefinitionError } from '../errors';
import type { Untyped } from '../types/any';

export interface ShellOptions<N extends string, R extends readonly string[]> extends StepOptions {
  name: N;
  /**
   * Variables the command exports that become the step's returns (JSON-parsed when they parse, else strings).
   * A declared return the command does not export fails the step.
   */
  returns?: R;
}

/**
 * A step that runs a shell command (`/bin/sh`, with `set -e`). The parent environment is inherited; every value in
 * scope is passed as an environment variable (strings as they are, other values JSON-encoded; pickled values are
 * not passed); declared secrets too. The command's stdout and stderr are the step's output.
 *
 *   shell('wc -l < data.csv | tr -d " " > /tmp/n; export rows=$(cat /tmp/n)', { name: 'count', returns: ['rows'] })
 *
 * Returns are typed `any` (a shell has no types); give a following step a precise input type.
 */
export function shell<const N extends string, const R extends readonly string[] = []>(
  command: string,
  opts: ShellOptions<N, R>,
): FnTask<N, {}, { [K in R[number]]: Untyped }> {
  if (typeof command !== 'string' || !command.trim()) throw new TaskDefinitionError(`shell('${opts?.name}'): the command is empty`);
  const name = validateName(opts.name, `shell('${opts.name}')`);
  const returns = normalizeReturns(opts.returns);
  validateReturns(returns, `shell('${name}')`);
  for (const r of returns) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(r.name)) {
      throw new TaskDefinitionError(`shell('${name}'): return '${r.name}' is not a valid environment variable name (letters, digits, '_')`);
    }
  }
  const def: TaskDefinition = { kind: 'shell', name, returns, options: pickStepOptions(opts), target: shell, command };
  return { __task: def, name } as FnTask<N, {}, { [K in R[number]]: Untyped }>;
}

/** A placeholder step that does nothing (its catalog `get`/`put`, if any, still run). */
export function stub<const N extends string>(name: N, opts: Pick<StepOptions, 'catalog'> = {}): FnTask<N, {}, {}> {
  const n = validateName(name, `stub('${name}')`);
  const def: TaskDefinition = { kind: 'stub', name: n, returns: [], options: pickStepOptions(opts), target: stub };
  return { __task: def, name: n } as FnTask<N, {}, {}>;
}
