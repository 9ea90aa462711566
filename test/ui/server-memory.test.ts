/**
 * The runs browser over stores that are not on this machine's disk (the in-memory ones stand for any plugin): the
 * run page lists the artifacts, downloads come from `catalog.getObject`, run ids are validated before the store sees
 * them.
 */
import * as http from 'node:http';
import { metric, pickled, pipeline, task } from '../../src/index';
import { startRunsBrowser, UI_HOST, type RunsBrowser } from '../../src/ui/server';
import { inMemory } from '../helpers/memory-run';

function get(port: number, p: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: UI_HOST, port, path: p }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('the runs browser over in-memory stores', () => {
  const opts = inMemory();
  const asked: string[] = [];
  let ui: RunsBrowser;
  beforeAll(async () => {
    const make = task(() => ({ table: { rows: [1, 2, 3] }, score: 0.5 }), { name: 'make', returns: [pickled('table'), metric('score')] });
    await pipeline('mem').step(make).build().execute({ ...opts, runId: 'mem-1' });
    const get0 = opts.runLogStore.get.bind(opts.runLogStore);
    opts.runLogStore.get = (id: string) => {
      asked.push(id);
      return get0(id);
    };
    ui = await startRunsBrowser({ store: opts.runLogStore, catalog: opts.catalog, port: 0 });
  });
  afterAll(async () => {
    await ui.close();
  });

  it('listens on 127.0.0.1 on the port it says', () => {
    expect(ui.url).toBe(`http://127.0.0.1:${ui.port}/`);
  });

  it('lists and serves the pickled value from the catalog object it is stored as', async () => {
    const page = (await get(ui.port, '/runs/mem-1')).body.toString();
    expect([...page.matchAll(/class="artifact" download href="([^"]+)"/g)].map((m) => m[1])).toEqual(['/runs/mem-1/artifacts/make/table.superjson']);
    const r = await get(ui.port, '/runs/mem-1/artifacts/make/table.superjson');
    expect(r.status).toBe(200);
    expect(r.headers['content-disposition']).toBe(`attachment; filename="table.superjson"; filename*=UTF-8''table.superjson`);
    expect(r.body.equals(await opts.catalog.getObject('mem-1', 'make/table.superjson'))).toBe(true);
  });

  it('never hands an invalid run id to the store', async () => {
    asked.length = 0;
    for (const p of ['/runs/..%2Fmem-1', '/runs/mem-1%2F..', '/api/runs/a%20b', '/compare?runs=mem-1,..']) expect((await get(ui.port, p)).status).toBe(400);
    expect(asked.every((id) => id === 'mem-1')).toBe(true);
    expect((await get(ui.port, '/runs/mem-2')).status).toBe(404);
    expect(asked).toContain('mem-2');
  });
});
