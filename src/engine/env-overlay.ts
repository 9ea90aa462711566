import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Step-scoped environment variables. A step's secrets must be environment variables while it runs, but
 * process.env is shared by every step running at the same time in this process. process.env is replaced (once)
 * by a view of the real environment that adds the variables of the step whose code is reading it, so a secret
 * is visible to the step that declared it (and to the child processes it starts) and to no other.
 */
const overlay = new AsyncLocalStorage<Readonly<Record<string, string>>>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const real = process.env;
  const own = (o: Readonly<Record<string, string>> | undefined, k: string | symbol): o is Readonly<Record<string, string>> =>
    !!o && typeof k === 'string' && Object.prototype.hasOwnProperty.call(o, k);
  process.env = new Proxy(real, {
    get: (t, k) => {
      const o = overlay.getStore();
      return own(o, k) ? o[k as string] : Reflect.get(t, k);
    },
    has: (t, k) => own(overlay.getStore(), k) || Reflect.has(t, k),
    ownKeys: (t) => {
      const o = overlay.getStore();
      const keys = Reflect.ownKeys(t);
      return o ? [...new Set([...keys, ...Object.keys(o)])] : keys;
    },
    getOwnPropertyDescriptor: (t, k) => {
      const o = overlay.getStore();
      if (own(o, k)) return { value: o[k as string], enumerable: true, configurable: true, writable: true };
      return Reflect.getOwnPropertyDescriptor(t, k);
    },
  });
}

/** Runs fn with `vars` added to process.env for the code of fn only. */
export function withEnv<T>(vars: Readonly<Record<string, string>>, fn: () => Promise<T>): Promise<T> {
  if (Object.keys(vars).length === 0) return fn();
  install();
  return overlay.run(vars, fn);
}
