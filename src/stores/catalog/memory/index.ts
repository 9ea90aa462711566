import { ArtifactError } from '../../../errors';
import { confinedRelative, sha256, type Catalog, type StoredObject } from '../catalog';

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
  describe(runId: string): string {
    return `memory://catalog/${runId}`;
  }
  config(): Record<string, unknown> {
    return { service_name: 'memory', service_type: 'catalog' };
  }
}
