/**
 * Variable scopes as Zeebe documents them ("Variable scopes", "Input/output variable mappings"):
 * every element instance is a scope; reading sees the scope and its ancestors (inner wins);
 * propagation writes each variable to the nearest scope where it already exists, else to the
 * root scope of the process instance. A scope's variables stay after it ends (history for the REST
 * searches); nothing reads them through the chain of a live scope, which never passes an ended one.
 */
import type { EngineState } from '../state/engine-state';

/** Reads and writes variables along the flow-scope chain. */
export class Variables {
  constructor(private readonly state: EngineState) {}

  /** The chain of scope keys from `key` up to the process instance. */
  chain(key: number): number[] {
    const keys: number[] = [];
    let current: number | undefined = key;
    while (current !== undefined) {
      keys.push(current);
      current = this.state.get('elements', current)?.flowScopeKey;
    }
    return keys;
  }

  /** The variables of one scope only. */
  local(key: number): Record<string, unknown> {
    return this.state.get('variables', key) ?? {};
  }

  /** Every variable visible from `key` (inner scopes shadow outer ones). */
  visible(key: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const scope of this.chain(key).reverse()) Object.assign(result, this.state.get('variables', scope));
    return result;
  }

  /** Sets variables on one scope. */
  setLocal(key: number, variables: Record<string, unknown>): void {
    if (Object.keys(variables).length === 0) return;
    const current = { ...this.local(key), ...variables };
    this.state.put('variables', key, current);
  }

  /** Sets one variable, creating the scope's variable document if needed. */
  setOne(key: number, name: string, value: unknown): void {
    this.setLocal(key, { [name]: value });
  }

  /** Propagates each variable from `key` upwards: nearest scope that has it, else the root. */
  propagate(key: number, variables: Record<string, unknown>): void {
    const chain = this.chain(key);
    const root = chain[chain.length - 1]!;
    for (const [name, value] of Object.entries(variables)) {
      const owner = chain.find((scope) => Object.hasOwn(this.local(scope), name)) ?? root;
      this.setOne(owner, name, value);
    }
  }
}

/**
 * Applies a mapping target, which may be a path (`order.id`): the nested value is merged into a
 * copy of the existing object, as Zeebe's mappings create nested context entries.
 */
export function assignTarget(target: string, value: unknown, lookup: (name: string) => unknown): [string, unknown] {
  const [head, ...rest] = target.split('.');
  if (rest.length === 0) return [head!, value];
  const base = lookup(head!);
  const root: Record<string, unknown> = base && typeof base === 'object' && !Array.isArray(base) ? structuredClone(base as Record<string, unknown>) : {};
  let node = root;
  for (let i = 0; i < rest.length - 1; i++) {
    const key = rest[i]!;
    const next = node[key];
    node[key] = next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    node = node[key] as Record<string, unknown>;
  }
  node[rest[rest.length - 1]!] = value;
  return [head!, root];
}
