import { MemoryCatalog, MemoryRunLogStore, SilentReporter, type ExecuteOptions } from '../../src/index';

/** Execute options for a fully in-memory, silent run. */
export function inMemory(extra: ExecuteOptions = {}): ExecuteOptions & { runLogStore: MemoryRunLogStore; catalog: MemoryCatalog } {
  return { runLogStore: new MemoryRunLogStore(), catalog: new MemoryCatalog(), reporter: new SilentReporter(), env: {}, ...extra } as ExecuteOptions & {
    runLogStore: MemoryRunLogStore;
    catalog: MemoryCatalog;
  };
}
