import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArtifactError } from '../../../errors';
import { writeFileAtomicSync } from '../../../util/fs';
import { confinedRelative, sha256, type Catalog, type StoredObject } from '../catalog';

export interface FileSystemCatalogConfig {
  /** Root folder of the catalog. Default `.catalog`; a run's artifacts are in `<catalog_location>/<run_id>/`. */
  catalog_location?: string;
  /** Working folder that file patterns of `catalog: { get, put }` are relative to. Default `.`. */
  compute_data_folder?: string;
}

/** Artifacts as files under `<catalog_location>/<run_id>/`, written atomically. */
export class FileSystemCatalog implements Catalog {
  readonly type = 'file-system';
  readonly root: string;

  constructor(private readonly cfg: FileSystemCatalogConfig = {}) {
    this.root = path.resolve(cfg.catalog_location ?? '.catalog');
  }

  private file(runId: string, relPath: string): { rel: string; abs: string } {
    const rel = confinedRelative(runId, relPath);
    return { rel: `${runId}/${rel}`, abs: path.join(this.root, runId, rel) };
  }

  async putObject(runId: string, relPath: string, data: Buffer | string): Promise<StoredObject> {
    const { rel, abs } = this.file(runId, relPath);
    writeFileAtomicSync(abs, data);
    return { catalog_relative_path: rel, data_hash: sha256(data), size: Buffer.byteLength(data) };
  }

  getObjectSync(runId: string, relPath: string): Buffer {
    const { abs } = this.file(runId, relPath);
    try {
      return fs.readFileSync(abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ArtifactError(`The artifact '${relPath}' of run '${runId}' is missing from the catalog (${abs}). Was the catalog folder moved or cleaned?`);
      }
      throw err;
    }
  }

  async getObject(runId: string, relPath: string): Promise<Buffer> {
    return this.getObjectSync(runId, relPath);
  }

  async exists(runId: string, relPath: string): Promise<boolean> {
    return fs.existsSync(this.file(runId, relPath).abs);
  }

  describe(runId: string): string {
    return path.relative(process.cwd(), path.join(this.root, runId)) || path.join(this.root, runId);
  }

  config(): Record<string, unknown> {
    return {
      service_name: 'file-system',
      service_type: 'catalog',
      catalog_location: this.cfg.catalog_location ?? '.catalog',
      compute_data_folder: this.cfg.compute_data_folder ?? '.',
    };
  }
}
