import { ArtifactError } from '../errors';
import { deserialize, PICKLE_EXTENSION, serialize } from '../serialization';
import type { Catalog } from '../stores/catalog/catalog';
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
  return decode(name, p, vs.catalog.getObjectSync(vs.runId, storedPath(vs, name, p)));
}

/** The live value of a parameter, from any catalog. */
export async function loadValue(vs: ValueStore, name: string, p: Parameter): Promise<unknown> {
  if (p.kind !== 'object' || vs.catalog.getObjectSync) return loadValueSync(vs, name, p);
  return decode(name, p, await vs.catalog.getObject(vs.runId, storedPath(vs, name, p)));
}

/** Serializes a value into the catalog at `<dir>/<name>.superjson`: its parameter (kind object) and catalog entry. */
export async function pickleValue(vs: ValueStore, value: unknown, name: string, dir: string): Promise<{ parameter: Parameter; entry: DataCatalog }> {
  const rel = `${dir}/${name}${PICKLE_EXTENSION}`;
  const stored = await vs.catalog.putObject(vs.runId, rel, serialize(value));
  return {
    parameter: { kind: 'object', value: name, description: describeValue('object', name), catalog_relative_path: stored.catalog_relative_path, data_hash: stored.data_hash },
    entry: { name: rel, data_hash: stored.data_hash, catalog_relative_path: stored.catalog_relative_path, catalog_handler_location: '', stage: 'put' },
  };
}
