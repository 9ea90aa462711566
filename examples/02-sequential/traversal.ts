/**
 * Steps run in order: a stub placeholder, a TypeScript task, and a shell command that reads the task's value
 * from its environment and exports a new one.
 *
 *   npx runnable run examples/02-sequential/traversal.ts
 */
import 'reflect-metadata';
import { pipeline, shell, stub, task } from 'runnable-ts';

const hello = task(() => ({ greeting: 'Hello World!' }), { name: 'hello', returns: ['greeting'] });
const echo = shell('echo "$greeting"; export length=$(printf %s "$greeting" | wc -c)', { name: 'echo', returns: ['length'] });
const check = task(({ length }: { length: number }) => ({ ok: length === 12 }), { name: 'check', returns: ['ok'] });

export default pipeline('traversal').step(stub('hello_stub')).step(hello).step(echo).step(check).build();
