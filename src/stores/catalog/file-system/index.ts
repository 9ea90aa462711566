import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArtifactError } from '../../../errors';
import { checkRunId, confinedRelative, fileError, hashFile, type Catalog, type StoredObject } from '../catalog';
import { copyFileHashed, isTempName } from '../copy';
import { writeFileAtomicHashedSync } from '../write-hashed';

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
    const { data_hash, size } = writeFileAtomicHashedSync(abs, data);
    return { catalog_relative_path: rel, data_hash, size };
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

  /** The catalog's root folder: file globs never sweep it up. */
  get localRoot(): string {
    return this.root;
  }

  async putFile(runId: string, relPath: string, sourceAbs: string, opts: { storeCopy: boolean }): Promise<StoredObject> {
    const { rel, abs } = this.file(runId, relPath);
    const context = `Cannot put '${relPath}' into the catalog of run '${runId}'`;
    const source = path.resolve(sourceAbs);
    if (!opts.storeCopy) {
      const st = await statFile(source, context);
      return { catalog_relative_path: rel, data_hash: await hashFile(source), size: st.size };
    }
    const { data_hash, size } = await copyFileHashed(source, abs, context);
    return { catalog_relative_path: rel, data_hash, size };
  }

  async getFile(runId: string, relPath: string, destAbs: string): Promise<StoredObject> {
    const { rel, abs } = this.file(runId, relPath);
    const context = `Cannot get '${relPath}' from the catalog of run '${runId}'`;
    const st = await fs.promises.lstat(abs).catch(() => undefined);
    if (!st?.isFile()) {
      throw new ArtifactError(`${context}: it is not in the catalog (${abs}). Was it put by an earlier step of this run, or was the catalog folder moved or cleaned?`);
    }
    const { data_hash, size } = await copyFileHashed(abs, path.resolve(destAbs), context);
    return { catalog_relative_path: rel, data_hash, size };
  }

  async list(runId: string): Promise<string[]> {
    checkRunId(runId);
    const out: string[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && prefix === '') return;
        throw err;
      }
      for (const e of entries) {
        const rel = prefix + e.name;
        if (e.isDirectory()) await walk(path.join(dir, e.name), `${rel}/`);
        else if (e.isFile() && !isTempName(e.name)) out.push(rel);
      }
    };
    await walk(path.join(this.root, runId), '');
    return out.sort();
  }

  async removeLeftovers(runId: string): Promise<number> {
    let removed = 0;
    const walk = async (dir: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        if (e.isDirectory()) await walk(path.join(dir, e.name));
        else if (isTempName(e.name)) {
          await fs.promises.rm(path.join(dir, e.name), { force: true });
          removed++;
        }
      }
    };
    checkRunId(runId);
    await walk(path.join(this.root, runId));
    return removed;
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

async function statFile(abs: string, context: string): Promise<fs.Stats> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(abs);
  } catch (err) {
    throw fileError(abs, err, context);
  }
  if (!st.isFile()) throw new ArtifactError(`${context}: '${abs}' is not a regular file`);
  return st;
}
