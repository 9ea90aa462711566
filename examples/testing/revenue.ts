/**
 * The pipeline tested in docs/testing.md (examples/testing/revenue.test.ts): one step calls a web API, one is pure.
 *
 *   npx runnable run examples/testing/revenue.ts        # needs the shop's API; the tests mock it
 */
import 'reflect-metadata';
import { Task, metric, pipeline, task } from 'runnable-ts';

export interface Order {
  id: string;
  amount: number;
  currency: 'EUR' | 'USD';
}

/** Calls the shop's API: slow, needs the network and a token. The tests replace it. */
export async function fetchOrders({ since }: { since: string }): Promise<{ orders: Order[] }> {
  const res = await fetch(`https://shop.example.com/api/orders?since=${encodeURIComponent(since)}`, {
    headers: { authorization: `Bearer ${process.env.SHOP_TOKEN}` },
  });
  if (!res.ok) throw new Error(`the shop API answered ${res.status}`);
  return { orders: (await res.json()) as Order[] };
}

@Task({ name: 'total', returns: [metric('revenue_eur'), 'skipped'] })
export class Total {
  run({ orders, usd_to_eur = 0.9 }: { orders: Order[]; usd_to_eur?: number }) {
    const eur = orders.reduce((sum, o) => sum + (o.currency === 'EUR' ? o.amount : o.amount * usd_to_eur), 0);
    return { revenue_eur: Math.round(eur * 100) / 100, skipped: orders.filter((o) => o.amount <= 0).map((o) => o.id) };
  }
}

export default pipeline('revenue')
  .params<{ since: string; usd_to_eur?: number }>()
  .step(task(fetchOrders, { name: 'fetch_orders', returns: ['orders'], secrets: ['SHOP_TOKEN'] }))
  .step(Total, { name: 'total' })
  .build();
