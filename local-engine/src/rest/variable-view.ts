/**
 * Variables as Camunda 8.8's REST API shows them (`VariableSearchResult`, `VariableResult`), read
 * from a scope's variable document. Pure: no I/O.
 *
 * - **Value.** The variable's JSON text. A search shows at most `variableSizeThreshold` characters
 *   of it and says `isTruncated: true` when it cut; `GET /v2/variables/{variableKey}` shows it whole.
 *   Camunda cuts when it exports the record to secondary storage (default threshold 8191, a Java
 *   `substring`, so UTF-16 code units as `String.prototype.slice`), and its `value` filter sees the
 *   cut text; so does ours, as the filter runs over the shown item.
 * - **Key.** Zeebe gives each variable a key of its own; the local engine derives one from the
 *   scope key (16 digits: keys lie in [2^51 + 1, 2^53)) followed by the variable's position in its
 *   scope, three digits wide, so that a key leads back to its variable without an index.
 */
import type { Item } from './search';

/** Camunda's default `variableSizeThreshold` (`IndexConfiguration.DEFAULT_VARIABLE_SIZE_THRESHOLD`). */
export const variableSizeThreshold = 8191;

/** Digits of every key the engine hands out (2^51 + 1 up to 2^53 - 1). */
const scopeKeyDigits = 16;

/** Where a variable lives: its scope and that scope's process instance and tenant. */
export interface VariableScope {
  scopeKey: number;
  processInstanceKey: number;
  tenantId: string;
}

/** The key of the `index`-th variable of a scope. */
export function variableKeyOf(scopeKey: number, index: number): string {
  return `${scopeKey}${String(index).padStart(3, '0')}`;
}

/** The scope and position a variable key stands for, or undefined when it is not one of ours. */
export function parseVariableKey(text: string): { scopeKey: number; index: number } | undefined {
  if (!/^\d+$/.test(text) || text.length < scopeKeyDigits + 3) return undefined;
  return { scopeKey: Number(text.slice(0, scopeKeyDigits)), index: Number(text.slice(scopeKeyDigits)) };
}

/** A value as a search shows it: its JSON text, cut at the threshold. */
export function searchValue(value: unknown): { value: string; isTruncated: boolean } {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > variableSizeThreshold ? { value: text.slice(0, variableSizeThreshold), isTruncated: true } : { value: text, isTruncated: false };
}

/** The search items of one scope's variables, in their order in the scope. */
export function variableSearchItems(scope: VariableScope, variables: Record<string, unknown>): Item[] {
  const items: Item[] = [];
  let index = 0;
  for (const [name, value] of Object.entries(variables)) {
    items.push({
      variableKey: variableKeyOf(scope.scopeKey, index++),
      name,
      ...searchValue(value),
      scopeKey: String(scope.scopeKey),
      processInstanceKey: String(scope.processInstanceKey),
      tenantId: scope.tenantId,
    });
  }
  return items;
}

/** One variable with its whole value (`GET /v2/variables/{variableKey}`), or undefined when the scope has no such position. */
export function variableResult(scope: VariableScope, variables: Record<string, unknown>, index: number): Item | undefined {
  const entry = Object.entries(variables)[index];
  if (!entry) return undefined;
  return {
    variableKey: variableKeyOf(scope.scopeKey, index),
    name: entry[0],
    value: JSON.stringify(entry[1]) ?? 'null',
    scopeKey: String(scope.scopeKey),
    processInstanceKey: String(scope.processInstanceKey),
    tenantId: scope.tenantId,
  };
}
