import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArtifactError } from '../../../errors';
import { checkRunId, confinedRelative, fileError, hashBytes, sha256, type Catalog, type StoredObject } from '../catalog';
import { writeFileAtomic } from '../copy';

/** Keeps artifacts in memory (lost when the process ends). For tests. */
export class MemoryCatalog implements Catalog {
  readonly type = 'memory';
  private readonly data = new Map<string, Buffer>();

  async putObject(runId: string, relPath: string, data: Buffer | string): Promise<StoredObject> {
    const rel = `${runId}/${confinedRelative(runId, relPath)}`;
    const buf = Buffer.from(data);
    this.data.set(rel, buf);
    return { catalog_relative_path: rel, data_hash: sha256(buf), size: buf.length };
  }
  getObjectSync(runId: string, relPath: string): Buffer {
    const rel = `${runId}/${confinedRelative(runId, relPath)}`;
    const buf = this.data.get(rel);
    if (!buf) throw new ArtifactError(`No artifact '${relPath}' in the in-memory catalog of run '${runId}'`);
    return Buffer.from(buf);
  }
  async getObject(runId: string, relPath: string): Promise<Buffer> {
    return this.getObjectSync(runId, relPath);
  }
  async exists(runId: string, relPath: string): Promise<boolean> {
    return this.data.has(`${runId}/${confinedRelative(runId, relPath)}`);
  }
  /** Reads the whole source into memory (this catalog is for tests); same results as the file-system catalog. */
  async putFile(runId: string, relPath: string, sourceAbs: string, opts: { storeCopy: boolean }): Promise<StoredObject> {
    const rel = `${runId}/${confinedRelative(runId, relPath)}`;
    const context = `Cannot put '${relPath}' into the catalog of run '${runId}'`;
    const source = path.resolve(sourceAbs);
    let buf: Buffer;
    try {
      if (!(await fs.promises.stat(source)).isFile()) throw new ArtifactError(`${context}: '${source}' is not a regular file`);
      buf = await fs.promises.readFile(source);
    } catch (err) {
      throw fileError(source, err, context);
    }
    if (opts.storeCopy) this.data.set(rel, buf);
    return { catalog_relative_path: rel, data_hash: hashBytes(buf), size: buf.length };
  }
  async getFile(runId: string, relPath: string, destAbs: string): Promise<StoredObject> {
    const rel = `${runId}/${confinedRelative(runId, relPath)}`;
    const context = `Cannot get '${relPath}' from the catalog of run '${runId}'`;
    const buf = this.data.get(rel);
    if (!buf) throw new ArtifactError(`${context}: it is not in the in-memory catalog. Was it put by an earlier step of this run?`);
    await writeFileAtomic(path.resolve(destAbs), buf, context);
    return { catalog_relative_path: rel, data_hash: hashBytes(buf), size: buf.length };
  }
  async list(runId: string): Promise<string[]> {
    checkRunId(runId);
    const prefix = `${runId}/`;
    return [...this.data.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort();
  }
  describe(runId: string): string {
    return `memory://catalog/${runId}`;
  }
  config(): Record<string, unknown> {
    return { service_name: 'memory', service_type: 'catalog' };
  }
}
