import { pipeline, task, MemoryCatalog } from '../../src/index';
import { renderReport } from '../../src/report/report';
import { inMemory } from '../helpers/memory-run';

describe('report data (no browser)', () => {
  it('rows, details and graph statuses come from the run log; a run log without a DAG still makes a page', async () => {
    const opts = inMemory({ runId: 'rd-1' });
    const p = pipeline('rd')
      .step(task(() => ({ xs: [1, 2, 3] }), { name: 'xs', returns: ['xs'] }))
      .map('each', { over: 'xs', as: 'x', branch: pipeline('b').params<{ x: number }>().step(task(({ x }: { x: number }) => ({ y: x + 1 }), { name: 'inc', returns: ['y'] })).build() })
      .build();
    const { runLog } = await p.execute(opts);
    const { html, data } = await renderReport(runLog, opts.catalog);
    expect(data.rows.map((r) => [r[0], r[2], r[4], r[10]])).toEqual([
      ['xs', 'task', 0, 'xs'],
      ...(() => {
        const order = data.rows.filter((r) => r[2] === 'branch').map((r) => String(r[0]).split('.')[1]);
        return [['each', 'map', 0, 'each'], ...order.flatMap((k) => [[`each.${k}`, 'branch', 1, 'each.*'], [`each.${k}.inc`, 'task', 2, 'each.*.inc']])];
      })(),
      ['success', 'success', 0, 'success'],
    ]);
    const inc = data.rows.findIndex((r) => r[0] === 'each.2.inc');
    expect(data.details[inc]!.inputs).toEqual([['x', '2']]);
    expect(data.details[inc]!.outputs).toEqual([['y', '3']]);
    expect(data.byPath['each.*.inc']).toHaveLength(3);
    expect(html).toContain('data-path="each.*.inc"');
    expect(html).toMatch(/<g class="gnode ok" data-path="each\.\*\.inc"/);

    const bare = { ...runLog, run_config: {} };
    const { html: page } = await renderReport(bare, new MemoryCatalog());
    expect(page).toContain('This run log records no pipeline graph');
    expect(page).not.toContain('<svg');
  });
});
