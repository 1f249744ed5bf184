/**
 * Partner adapters (docs/architecture.md §1, §6): the interface the handlers see, the HTTP client that
 * implements it, the operation table both sides share, and the simulator that plays the partners
 * for `npm start` and the tests.
 */
import { HttpPartnerAdapter } from './http-partner-adapter';
import { partnerSystems, type PartnerAdapter, type PartnerSystem } from './partner-adapter';

export * from './partner-adapter';
export * from './partner-operations';
export * from './http-partner-adapter';
export * from './partner-simulator';

/** Options shared by every adapter {@link createPartnerAdapters} builds. */
export interface PartnerAdaptersOptions {
  /** Time each partner may take to answer, in ms (default 10 000). */
  timeoutMs?: number;
  /** The fetch to use (tests); default the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * One HTTP adapter per partner system: every system under one base URL (the simulator, a gateway),
 * or each under its own. With a partial map, only the systems it names get an adapter.
 */
export function createPartnerAdapters(baseUrl: string | Record<PartnerSystem, string>, options?: PartnerAdaptersOptions): Record<PartnerSystem, PartnerAdapter>;
export function createPartnerAdapters(baseUrls: Partial<Record<PartnerSystem, string>>, options?: PartnerAdaptersOptions): Partial<Record<PartnerSystem, PartnerAdapter>>;
export function createPartnerAdapters(
  baseUrls: string | Partial<Record<PartnerSystem, string>>,
  options: PartnerAdaptersOptions = {},
): Partial<Record<PartnerSystem, PartnerAdapter>> {
  const adapters: Partial<Record<PartnerSystem, PartnerAdapter>> = {};
  for (const system of partnerSystems) {
    const baseUrl = typeof baseUrls === 'string' ? baseUrls : baseUrls[system];
    if (baseUrl === undefined) continue;
    adapters[system] = new HttpPartnerAdapter({ system, baseUrl, ...options });
  }
  return adapters;
}
