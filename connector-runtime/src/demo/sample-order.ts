/**
 * A sample order for the demo and the end-to-end tests: the broadband bundle of the domain fixtures
 * (fibre service, Wi-Fi router, static IP add-on in a bundle) with fresh ids, so it can be placed
 * again and again.
 */
import { randomUUID } from 'node:crypto';
import bundleOrder from '../domain/fixtures/broadband-bundle.order.json' with { type: 'json' };
import { parseOrder, type Order } from '../domain/order';

/** The broadband bundle order under `tenantId`, every id new. */
export function sampleBundleOrder(tenantId: string): Order {
  const ids = new Map<string, string>();
  const fresh = (id: string): string => {
    if (!ids.has(id)) ids.set(id, randomUUID());
    return ids.get(id)!;
  };
  return parseOrder({
    ...bundleOrder,
    tenantId,
    orderId: randomUUID(),
    items: bundleOrder.items.map((item) => ({
      ...item,
      orderItemId: fresh(item.orderItemId),
      ...('parentItemId' in item && item.parentItemId ? { parentItemId: fresh(item.parentItemId) } : {}),
    })),
  });
}
