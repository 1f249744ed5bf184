/** Order items the cross-part tests place: one site, and the FIBER-500 and ROUTER-WIFI6 items built on it. */
import { randomUUID } from 'node:crypto';
import type { OrderItemInput } from './runtime-harness';

/** The site every test order is for. */
export const site = { line1: 'Jl. Sudirman 12', city: 'Jakarta', postalCode: '10220', countryCode: 'ID' };

/** A FIBER-500 item with a fresh id: ADD by default, or an action on an installed asset; `attributes` override the defaults. */
export function fibreItem(action: OrderItemInput['action'] = 'ADD', attributes: Record<string, unknown> = {}, parentItemId?: string): OrderItemInput {
  return { orderItemId: randomUUID(), ...(parentItemId ? { parentItemId } : {}), action, productType: 'NETWORK_SERVICE', productCode: 'FIBER-500', attributes: { siteAddress: site, downloadMbps: 500, uploadMbps: 100, ...attributes } };
}

/** A ROUTER-WIFI6 ADD item with a fresh id: shipped, then installed on site with a technician's confirmation. */
export function routerItem(parentItemId?: string): OrderItemInput {
  return { orderItemId: randomUUID(), ...(parentItemId ? { parentItemId } : {}), action: 'ADD', productType: 'PHYSICAL_DEVICE', productCode: 'ROUTER-WIFI6', attributes: { siteAddress: site } };
}
