// A plain (JSON) return typed `any` (e.g. from JSON.parse) is accepted: the value is checked at run time.
import { Task, task, pipeline } from 'runnable-ts';

@Task({ returns: ['parsed'] })
export class Parse {
  run({ text = '{}' }: { text?: string }) {
    return { parsed: JSON.parse(text) };
  }
}
const use = task(({ parsed }: { parsed: { a?: number } }) => ({ a: parsed.a ?? 0 }), { name: 'use', returns: ['a'] });
export default pipeline().params<{ text?: string }>().step(Parse).step(use).build();
