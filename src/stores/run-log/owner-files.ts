import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunOwner } from './store';
import { RunOwnedError } from '../../errors';
import { createFileExclusiveSync, readdirOrEmptySync, writeFileAtomicSync } from '../../util/fs';

/*
 * Owner records on a local file system, shared by the file-system and chunked-fs stores.
 *
 * A run's owner folder holds numbered generations `owner-<n>.json`; the highest number is the current owner.
 * Taking the run creates generation n+1 exclusively (a hard link, which fails on an existing name), so of two
 * processes that both judged owner n gone exactly one wins; the loser re-reads and finds a live owner. After
 * creating its generation a winner checks that no higher one appeared meanwhile (a contender that read an older
 * listing), and backs off if one did. Heartbeats rewrite the owner's own generation atomically; release deletes it.
 */

const GEN = /^owner-(\d{1,12})\.json$/;
const genFile = (n: number) => `owner-${String(n).padStart(8, '0')}.json`;

function generations(dir: string): number[] {
  return readdirOrEmptySync(dir).flatMap((f) => {
    const m = GEN.exec(f);
    return m ? [Number(m[1])] : [];
  }).sort((a, b) => a - b);
}

function readOwner(file: string): RunOwner | undefined {
  try {
    const o = JSON.parse(fs.readFileSync(file, 'utf8')) as RunOwner;
    return o && typeof o === 'object' && typeof o.token === 'string' ? o : undefined;
  } catch {
    return undefined; // vanished (released) or torn: treated as no owner for this generation
  }
}

export class OwnerFiles {
  constructor(private readonly dirOf: (runId: string) => string) {}

  private current(runId: string): { gen: number; owner: RunOwner | undefined } | undefined {
    const gens = generations(this.dirOf(runId));
    const gen = gens.at(-1);
    if (gen === undefined) return undefined;
    return { gen, owner: readOwner(path.join(this.dirOf(runId), genFile(gen))) };
  }

  acquire(runId: string, owner: RunOwner, isGone: (current: RunOwner) => boolean): RunOwner | undefined {
    const dir = this.dirOf(runId);
    for (let tries = 0; tries < 50; tries++) {
      const cur = this.current(runId);
      let previous: RunOwner | undefined;
      if (cur?.owner) {
        if (!isGone(cur.owner)) throw new RunOwnedError(runId, cur.owner);
        previous = cur.owner;
      }
      const gen = (cur?.gen ?? 0) + 1;
      let created: boolean;
      try {
        created = createFileExclusiveSync(path.join(dir, genFile(gen)), JSON.stringify(owner));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // the folder was removed by a release meanwhile
        throw err;
      }
      if (!created) continue; // another process took generation `gen` first: look at it
      const newest = generations(dir).at(-1)!;
      if (newest > gen) {
        fs.rmSync(path.join(dir, genFile(gen)), { force: true });
        continue;
      }
      for (const g of generations(dir)) if (g < gen) fs.rmSync(path.join(dir, genFile(g)), { force: true });
      return previous;
    }
    throw new Error(`Could not take the owner record of run ${runId} in ${dir}: it kept changing (50 tries)`);
  }

  heartbeat(runId: string, token: string, at: string): boolean {
    const cur = this.current(runId);
    if (!cur?.owner || cur.owner.token !== token) return false;
    writeFileAtomicSync(path.join(this.dirOf(runId), genFile(cur.gen)), JSON.stringify({ ...cur.owner, heartbeat_at: at }), { mkdir: false, durable: false });
    return true;
  }

  release(runId: string, token: string): void {
    const dir = this.dirOf(runId);
    const cur = this.current(runId);
    if (!cur?.owner || cur.owner.token !== token) return;
    fs.rmSync(path.join(dir, genFile(cur.gen)), { force: true });
    try {
      fs.rmdirSync(dir);
    } catch {
      /* not empty (a new owner), or gone: fine */
    }
  }

  get(runId: string): RunOwner | undefined {
    return this.current(runId)?.owner;
  }
}
