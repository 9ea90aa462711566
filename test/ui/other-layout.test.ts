/**
 * The runs browser over one of the two file stores names the runs the other keeps in the same folder (after a change
 * of runLogStore.type), as `runnable runs` does, instead of leaving them out silently.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { ChunkedFsRunLogStore, FileSystemRunLogStore, MemoryCatalog, SilentReporter, pipeline, task } from '../../src/index';
import { startRunsBrowser, UI_HOST } from '../../src/ui/server';
import { tmpDir } from '../helpers/cli';

const page = (port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    http
      .get({ host: UI_HOST, port, path: '/' }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });

it('the runs page of a chunked-fs store names the file-system runs in its folder', async () => {
  const folder = path.join(tmpDir('rt-ui-layout-'), '.run_log_store');
  const p = pipeline('one').step(task(() => ({ a: 1 }), { name: 'a', returns: ['a'] })).build();
  const common = { catalog: new MemoryCatalog(), reporter: new SilentReporter(), env: {} };
  await p.execute({ ...common, runLogStore: new FileSystemRunLogStore({ log_folder: folder }), runId: 'old-fs' });
  const chunked = new ChunkedFsRunLogStore({ log_folder: folder });
  await p.execute({ ...common, runLogStore: chunked, runId: 'new-chunked' });
  const ui = await startRunsBrowser({ store: chunked, catalog: common.catalog, port: 0 });
  try {
    const html = await page(ui.port);
    expect(html).toContain('href="/runs/new-chunked"');
    expect(html).not.toContain('href="/runs/old-fs"');
    expect(html).toMatch(/<p class="muted note">ℹ️ {2}1 more run in \S+ \(old-fs\) is stored by the file-system run-log store, which this configuration \(runLogStore type chunked-fs\) does not read\. List it with a configuration whose runLogStore type is file-system \(runnable ui -c &lt;file&gt;\)\.<\/p>/);
  } finally {
    await ui.close();
  }
});
