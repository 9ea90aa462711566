import { ArtifactError, IntegrityError } from '../errors';
import { deserialize, PICKLE_EXTENSION, serialize } from '../serialization';
import { sha256, type Catalog } from '../stores/catalog/catalog';
import type { DataCatalog, Parameter } from '../stores/run-log/types';
import { describeValue } from './params';

/** Where values of a run live: its catalog and run id. */
export interface ValueStore {
  readonly catalog: Catalog;
  readonly runId: string;
}

/** The catalog path of a pickled parameter inside its run's folder (the run log records it with the run id). */
function storedPath(vs: ValueStore, name: string, p: Parameter): string {
  const rel = p.catalog_relative_path;
  if (!rel) throw new ArtifactError(`Parameter '${name}' is a pickled value but the run log does not say where it is stored`);
  return rel.startsWith(`${vs.runId}/`) ? rel.slice(vs.runId.length + 1) : rel;
}

let verifyHashes = true;
/** For the benchmark only (bench/integrity.ts): measures the run without hash checks. Not part of the public API. */
export function setHashVerification(enabled: boolean): void {
  verifyHashes = enabled;
}

/** Fails with an IntegrityError when the bytes read are not those the run log recorded (changed or truncated since). */
function verified(vs: ValueStore, name: string, p: Parameter, bytes: Buffer): Buffer {
  if (verifyHashes && p.data_hash) {
    const found = sha256(bytes);
    if (found !== p.data_hash) throw new IntegrityError(vs.runId, p.catalog_relative_path ?? name, p.data_hash, found, ` (pickled value '${name}')`);
  }
  return bytes;
}

/** Reads a pickled value's bytes; a missing file is an IntegrityError when the run log recorded a hash for it. */
function missingAsIntegrity<T>(vs: ValueStore, name: string, p: Parameter, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (p.data_hash && err instanceof ArtifactError && /missing|does not exist|not found|no artifact/i.test(err.message)) {
      throw new IntegrityError(vs.runId, p.catalog_relative_path ?? name, p.data_hash, undefined, ` (pickled value '${name}')`);
    }
    throw err;
  }
}

function decode(name: string, p: Parameter, bytes: Buffer): unknown {
  try {
    return deserialize(bytes.toString('utf8'));
  } catch (err) {
    throw new ArtifactError(`Pickled value '${name}' (${p.catalog_relative_path}) could not be deserialized: ${(err as Error).message}`);
  }
}

/**
 * The live value of a parameter, synchronously (what a step's input proxy needs): JSON values are copied, pickled
 * ones read from the catalog and deserialized. Catalogs without synchronous reads go through loadValue.
 */
export function loadValueSync(vs: ValueStore, name: string, p: Parameter): unknown {
  if (p.kind !== 'object') return structuredClone(p.value);
  if (!vs.catalog.getObjectSync) throw new ArtifactError(`Catalog '${vs.catalog.type}' cannot read '${name}' synchronously; load it with loadValue`);
  const rel = storedPath(vs, name, p);
  return decode(name, p, verified(vs, name, p, missingAsIntegrity(vs, name, p, () => vs.catalog.getObjectSync!(vs.runId, rel))));
}

/**
 * The stored superjson text of a pickled parameter, not decoded: what a reader that must not run the code of the
 * classes inside (a run log may come from someone else) can still show.
 */
export async function loadRawPickle(vs: ValueStore, name: string, p: Parameter): Promise<string> {
  return (await vs.catalog.getObject(vs.runId, storedPath(vs, name, p))).toString('utf8');
}

/** The ids of the registered classes / custom types a superjson text needs to be decoded. */
export function pickledTypeIds(text: string): string[] {
  const ids = new Set<string>();
  const walk = (node: unknown): void => {
    if (!Array.isArray(node)) {
      if (node && typeof node === 'object') for (const v of Object.values(node)) walk(v);
      return;
    }
    if ((node[0] === 'class' || node[0] === 'custom') && typeof node[1] === 'string') ids.add(node[1]);
    else for (const v of node) walk(v);
  };
  try {
    walk((JSON.parse(text) as { meta?: unknown }).meta);
  } catch {
    /* not JSON: no ids */
  }
  return [...ids];
}

/** The live value of a parameter, from any catalog. */
export async function loadValue(vs: ValueStore, name: string, p: Parameter): Promise<unknown> {
  if (p.kind !== 'object' || vs.catalog.getObjectSync) return loadValueSync(vs, name, p);
  const rel = storedPath(vs, name, p);
  const bytes = await vs.catalog.getObject(vs.runId, rel).catch(async (err: unknown) => {
    if (p.data_hash && err instanceof ArtifactError && !(await vs.catalog.exists(vs.runId, rel).catch(() => false))) {
      throw new IntegrityError(vs.runId, p.catalog_relative_path ?? name, p.data_hash, undefined, ` (pickled value '${name}')`);
    }
    throw err;
  });
  return decode(name, p, verified(vs, name, p, bytes));
}

/** Serializes a value into the catalog at `<dir>/<name>.superjson`: its parameter (kind object) and catalog entry. */
export async function pickleValue(
  vs: ValueStore,
  value: unknown,
  name: string,
  dir: string,
  check?: (serialized: string) => void,
): Promise<{ parameter: Parameter; entry: DataCatalog }> {
  const rel = `${dir}/${name}${PICKLE_EXTENSION}`;
  const text = serialize(value);
  check?.(text);
  const stored = await vs.catalog.putObject(vs.runId, rel, text);
  return {
    parameter: { kind: 'object', value: name, description: describeValue('object', name), catalog_relative_path: stored.catalog_relative_path, data_hash: stored.data_hash },
    entry: { name: rel, data_hash: stored.data_hash, catalog_relative_path: stored.catalog_relative_path, catalog_handler_location: '', stage: 'put' },
  };
}
