import { describe, expect, it } from 'vitest';
import { EngineState, firstKey } from './engine-state';
import { checkpointColumns, replayEntry, serializeBatch } from './journal-entry';

describe('journal entries', () => {
  it('given a batch, when its entry is replayed into a fresh state, then the state has its upserts, deletes and key counter', () => {
    const source = new EngineState();
    source.restore('variables', 2, { gone: true });
    source.put('variables', 1, { text: 'quote " backslash \\ line\nbreak \u2028 emoji 🙂', n: [1, { deep: null }] });
    source.remove('variables', 2);
    source.newKey();
    const batch = serializeBatch(source.takeChanges());

    const target = new EngineState();
    target.restore('variables', 2, { gone: true });
    const records = replayEntry(target, batch.text);

    expect(target.get('variables', 1)).toEqual(source.get('variables', 1));
    expect(target.get('variables', 2)).toBeUndefined();
    expect(target.nextKey).toBe(firstKey + 1);
    expect(target.hasChanges()).toBe(false);
    expect(records).toEqual(batch.records);
  });

  it('skips records of collections the engine no longer has', () => {
    const state = new EngineState();
    const records = replayEntry(state, JSON.stringify({ nextKey: firstKey, upserts: [['retired', 1, {}]], deletes: [['retired', 2]] }));
    expect(records).toEqual([]);
  });

  it('hands checkpoint records over as parallel columns, a delete with a null text', () => {
    const columns = checkpointColumns([
      { collection: 'jobs', key: 5, json: '{"a":1}' },
      { collection: 'timers', key: 6, json: null },
    ]);
    expect(columns).toEqual([
      ['jobs', 'timers'],
      ['5', '6'],
      ['{"a":1}', null],
    ]);
  });
});
