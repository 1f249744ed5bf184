/** Order items the cross-part tests place: one site, and a FIBER-500 service item built on it. */
import { randomUUID } from 'node:crypto';
import type { OrderItemInput } from './runtime-harness';

/** The site every test order is for. */
export const site = { line1: 'Jl. Sudirman 12', city: 'Jakarta', postalCode: '10220', countryCode: 'ID' };

/** A FIBER-500 item with a fresh id: ADD by default, or an action on an installed asset; `attributes` override the defaults. */
export function fibreItem(action: OrderItemInput['action'] = 'ADD', attributes: Record<string, unknown> = {}): OrderItemInput {
  return { orderItemId: randomUUID(), action, productType: 'NETWORK_SERVICE', productCode: 'FIBER-500', attributes: { siteAddress: site, downloadMbps: 500, uploadMbps: 100, ...attributes } };
}
