import { describe, expect, it } from 'vitest';
import { EngineState } from '../state/engine-state';
import type { ElementInstanceRecord } from '../state/records';
import { Variables, assignTarget } from './variables';

function scope(state: EngineState, key: number, flowScopeKey?: number): void {
  const record = { key, processInstanceKey: 1, flowScopeKey, state: 'ACTIVATED' } as ElementInstanceRecord;
  state.put('elements', key, record);
}

describe('variable scopes', () => {
  it('reads inner scopes over outer ones and propagates to the nearest owner, else the root', () => {
    const state = new EngineState();
    scope(state, 1);
    scope(state, 2, 1);
    scope(state, 3, 2);
    const variables = new Variables(state);
    variables.setLocal(1, { a: 'root', shadow: 'outer' });
    variables.setLocal(2, { b: 'sub' });
    variables.setLocal(3, { shadow: 'inner' });
    expect(variables.visible(3)).toEqual({ a: 'root', b: 'sub', shadow: 'inner' });
    variables.propagate(3, { b: 'changed', shadow: 'x', c: 'new' });
    expect(variables.local(1)).toEqual({ a: 'root', shadow: 'outer', c: 'new' });
    expect(variables.local(2)).toEqual({ b: 'changed' });
    expect(variables.local(3)).toEqual({ shadow: 'x' });
  });

  it('assigns nested targets into a copy of the existing object', () => {
    const existing = { id: 1, address: { city: 'A' } };
    const [name, value] = assignTarget('order.address.zip', '123', () => existing);
    expect(name).toBe('order');
    expect(value).toEqual({ id: 1, address: { city: 'A', zip: '123' } });
    expect(existing.address).toEqual({ city: 'A' });
    expect(assignTarget('plain', 5, () => undefined)).toEqual(['plain', 5]);
  });
});
