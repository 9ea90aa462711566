/**
 * Initial parameters come from a YAML/JSON file (--params) and RUNNABLE_PRM_<name> variables. A step declares
 * what it reads, with types; the pipeline's `.params<...>()` declares what the file provides.
 *
 *   npx runnable run examples/03-parameters/static-parameters.ts --params examples/03-parameters/initial-parameters.yaml
 */
import 'reflect-metadata';
import { Task, pipeline, shell } from 'runnable-ts';

export interface ComplexParams {
  x: number;
  foo: string;
}
type Initial = { integer: number; floater: number; stringer: string; complex_param: ComplexParams; chunks: number[]; envvar?: string };

@Task({ name: 'read_params', returns: ['summary'] })
export class ReadParams {
  run({ integer, floater, stringer, complex_param, chunks }: Initial) {
    return { summary: `${integer} ${floater} ${stringer} ${complex_param.x}/${complex_param.foo} ${chunks.join(',')}` };
  }
}

// Shell steps see every value as an environment variable (non-strings JSON-encoded).
const readInShell = shell(
  `test "$integer" = 1 && test "$floater" = 3.14 && test "$stringer" = hello && test "$complex_param" = '{"x":10,"foo":"bar"}' && export shell_ok=true`,
  { name: 'read_params_in_shell', returns: ['shell_ok'] },
);

export default pipeline('static-parameters').params<Initial>().step(ReadParams).step(readInShell).build();
