import { describe, expect, it } from 'vitest';
import { EngineState, firstKey } from './engine-state';

describe('EngineState change tracking', () => {
  it('hands out increasing keys from the partition-1 range', () => {
    const state = new EngineState();
    expect(state.newKey()).toBe(firstKey);
    expect(state.newKey()).toBe(firstKey + 1);
  });

  it('reports upserts with current content and deletes, once', () => {
    const state = new EngineState();
    state.put('variables', 1, { a: 1 });
    state.put('variables', 2, { b: 1 });
    state.put('variables', 1, { a: 2 });
    state.remove('variables', 2);
    const changes = state.takeChanges();
    expect(changes.upserts).toEqual([{ collection: 'variables', key: 1, data: { a: 2 } }]);
    expect(changes.deletes).toEqual([{ collection: 'variables', key: 2 }]);
    expect(state.hasChanges()).toBe(false);
  });

  it('requeues a batch that failed to be written', () => {
    const state = new EngineState();
    state.put('variables', 1, { a: 1 });
    const failed = state.takeChanges();
    state.requeue(failed);
    expect(state.takeChanges().upserts).toEqual([{ collection: 'variables', key: 1, data: { a: 1 } }]);
  });

  it('restores records without marking them changed', () => {
    const state = new EngineState();
    state.restore('variables', 5, { x: true });
    expect(state.get('variables', 5)).toEqual({ x: true });
    expect(state.hasChanges()).toBe(false);
  });
});
