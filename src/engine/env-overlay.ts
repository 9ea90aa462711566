import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Step-scoped environment variables. A step's secrets must be environment variables while it runs, but
 * process.env is shared by every step running at the same time in this process. process.env is replaced (once)
 * by a view of the real environment that adds the variables of the step whose code is reading it and hides the
 * secrets other steps declare, so a secret is visible to the step that declared it (and to the child processes it
 * starts) and to no other step, even when the secret comes from the process environment itself.
 */
interface Overlay {
  /** The step's own variables; what the step assigns to one of them (or to a hidden name) stays in its view. */
  readonly vars: Record<string, string>;
  readonly hidden: Set<string>;
}
const overlay = new AsyncLocalStorage<Overlay>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  const real = process.env;
  const own = (o: Overlay | undefined, k: string | symbol): o is Overlay =>
    !!o && typeof k === 'string' && Object.prototype.hasOwnProperty.call(o.vars, k);
  const hides = (o: Overlay | undefined, k: string | symbol): boolean => !!o && typeof k === 'string' && o.hidden.has(k);
  process.env = new Proxy(real, {
    get: (t, k) => {
      const o = overlay.getStore();
      if (own(o, k)) return o.vars[k as string];
      return hides(o, k) ? undefined : Reflect.get(t, k);
    },
    has: (t, k) => {
      const o = overlay.getStore();
      return own(o, k) || (!hides(o, k) && Reflect.has(t, k));
    },
    ownKeys: (t) => {
      const o = overlay.getStore();
      const keys = Reflect.ownKeys(t);
      if (!o) return keys;
      return [...new Set([...keys.filter((k) => !hides(o, k)), ...Object.keys(o.vars)])];
    },
    getOwnPropertyDescriptor: (t, k) => {
      const o = overlay.getStore();
      if (own(o, k)) return { value: o.vars[k as string], enumerable: true, configurable: true, writable: true };
      return hides(o, k) ? undefined : Reflect.getOwnPropertyDescriptor(t, k);
    },
    // Assignments go to the real environment, as without the view (the default trap would redefine the property
    // through the view with a partial descriptor, which the real process.env refuses), except for the step's own
    // variables and the names hidden from it: those change the step's view only, so a step never overwrites a
    // secret another step was given.
    set: (t, k, v) => {
      const o = overlay.getStore();
      if (o && typeof k === 'string' && (own(o, k) || hides(o, k))) {
        o.vars[k] = String(v);
        o.hidden.delete(k);
        return true;
      }
      return Reflect.set(t, k, v);
    },
    deleteProperty: (t, k) => {
      const o = overlay.getStore();
      if (o && typeof k === 'string' && (own(o, k) || hides(o, k))) {
        delete o.vars[k];
        o.hidden.add(k);
        return true;
      }
      return Reflect.deleteProperty(t, k);
    },
    defineProperty: (t, k, d) => Reflect.set(t, k, d.value ?? d.get?.()),
  });
}

/**
 * Runs fn with `vars` added to process.env and the names in `hidden` (secrets of other steps) removed from it,
 * for the code of fn only.
 */
export function withEnv<T>(vars: Readonly<Record<string, string>>, fn: () => Promise<T>, hidden: ReadonlySet<string> = new Set()): Promise<T> {
  const hide = new Set([...hidden].filter((k) => !Object.prototype.hasOwnProperty.call(vars, k)));
  if (Object.keys(vars).length === 0 && hide.size === 0) return fn();
  install();
  return overlay.run({ vars: { ...vars }, hidden: hide }, fn);
}
