/**
 * Answers a validated search request over the items of one endpoint: filter, sort, page.
 * Values compare as the REST API shows them (keys are strings): equality by string, order by
 * number when both sides are numbers (or numeric strings), else by string (ISO dates sort as
 * text). `$like` takes Camunda's wildcards (`*`, `?`, backslash escapes). Pure: no I/O.
 */
import type { FilterProperty, SearchRequest } from './request-bodies';

/** One item of a search result, as the endpoint shows it. */
export type Item = Record<string, unknown>;

/** The body of a search answer. */
export interface SearchResult {
  items: Item[];
  page: { totalItems: number; startCursor: null; endCursor: null };
}

function compare(actual: unknown, expected: unknown): number {
  const a = Number(actual);
  const b = Number(expected);
  if (actual !== '' && expected !== '' && typeof actual !== 'boolean' && Number.isFinite(a) && Number.isFinite(b)) return a - b;
  const x = String(actual);
  const y = String(expected);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Camunda's `$like`: `*` any run, `?` one character, `\` escapes; linear in practice, no regex. */
export function like(value: string, pattern: string): boolean {
  const tokens: Array<{ any: boolean; one: boolean; char: string }> = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) tokens.push({ any: false, one: false, char: pattern[++i]! });
    else tokens.push({ any: c === '*', one: c === '?', char: c });
  }
  // Greedy wildcard matching with backtracking to the last `*` only: O(value × pattern) at worst.
  let v = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
    const token = tokens[t];
    if (token && !token.any && (token.one || token.char === value[v])) {
      v++;
      t++;
    } else if (token?.any) {
      star = t++;
      mark = v;
    } else if (star >= 0) {
      t = star + 1;
      v = ++mark;
    } else return false;
  }
  while (tokens[t]?.any) t++;
  return t === tokens.length;
}

function matchesProperty(actual: unknown, condition: FilterProperty): boolean {
  if (condition === null) return true;
  // A list-valued field (candidate groups) matches when one of its entries does.
  const values = Array.isArray(actual) ? actual : [actual];
  const equal = (expected: unknown) => values.some((v) => String(v) === String(expected));
  if (typeof condition !== 'object') return equal(condition);
  const present = actual !== undefined;
  if (condition.$eq !== undefined && !equal(condition.$eq)) return false;
  if (condition.$neq !== undefined && equal(condition.$neq)) return false;
  if (condition.$exists !== undefined && present !== condition.$exists) return false;
  if (condition.$in !== undefined && !condition.$in.some(equal)) return false;
  if (condition.$notIn !== undefined && condition.$notIn.some(equal)) return false;
  if (condition.$like !== undefined && !(present && values.some((v) => like(String(v), condition.$like!)))) return false;
  const ordered = (test: (order: number) => boolean, operand: unknown) => operand === undefined || (present && values.some((v) => test(compare(v, operand))));
  return ordered((o) => o > 0, condition.$gt) && ordered((o) => o >= 0, condition.$gte) && ordered((o) => o < 0, condition.$lt) && ordered((o) => o <= 0, condition.$lte);
}

/** Whether an item matches every property of a filter; `aliases` maps API filter names to item fields. */
export function matches(item: Item, filter: SearchRequest['filter'], aliases: Record<string, string> = {}): boolean {
  return Object.entries(filter).every(([field, condition]) => matchesProperty(item[aliases[field] ?? field], condition));
}

/** Filters, sorts (stable, first criterion first) and pages the items. */
export function search(all: Item[], request: SearchRequest, aliases: Record<string, string> = {}): SearchResult {
  let items = all.filter((item) => matches(item, request.filter, aliases));
  for (const sort of [...request.sort].reverse()) {
    const direction = sort.order === 'DESC' ? -1 : 1;
    const key = (item: Item) => String(item[sort.field] ?? '');
    items = [...items].sort((a, b) => (key(a) < key(b) ? -direction : key(a) > key(b) ? direction : 0));
  }
  return { items: items.slice(request.from, request.from + request.limit), page: { totalItems: items.length, startCursor: null, endCursor: null } };
}
