import { describe, expect, it } from 'vitest';
import { learnIds, swapIds } from './query-trace';

const recordedTask = '11111111-1111-4111-8111-111111111111';
const replayTask = '22222222-2222-4222-8222-222222222222';
const recordedAttempt = '33333333-3333-4333-8333-333333333333';

describe('replaying a recorded job for another task', () => {
  it('given a seeded id, then every value naming it is swapped, inside keys and JSON too', () => {
    const ids = new Map([[recordedTask, replayTask]]);
    expect(swapIds(recordedTask, ids)).toBe(replayTask);
    expect(swapIds(`tenant-a:order:${recordedTask}:EXECUTE-1`, ids)).toBe(`tenant-a:order:${replayTask}:EXECUTE-1`);
    expect(swapIds(JSON.stringify({ taskId: recordedTask }), ids)).toBe(JSON.stringify({ taskId: replayTask }));
    expect(swapIds([recordedTask, 7, null], ids)).toEqual([replayTask, 7, null]);
  });

  it('given an id the job generated, then the replay gets a fresh one, the same at every use', () => {
    const ids = new Map<string, string>();
    const first = swapIds(recordedAttempt, ids);
    expect(first).not.toBe(recordedAttempt);
    expect(swapIds(recordedAttempt, ids)).toBe(first);
  });

  it('given values that are not ids, then they are sent as recorded', () => {
    const ids = new Map<string, string>();
    expect(swapIds('COMPLETED', ids)).toBe('COMPLETED');
    expect(swapIds(3, ids)).toBe(3);
  });

  it('given answers that differ in an id column, then the swap is learned, but a seeded swap is kept', () => {
    const ids = new Map([[recordedTask, replayTask]]);
    learnIds(
      [{ id: recordedTask, attempt_id: 'a-1', status: 'READY', version: '3' }],
      [{ id: '44444444-4444-4444-8444-444444444444', attempt_id: 'a-2', status: 'IN_PROGRESS', version: '4' }],
      ids,
    );
    expect(ids.get(recordedTask)).toBe(replayTask);
    expect(ids.get('a-1')).toBe('a-2');
    expect(ids.has('READY')).toBe(false);
    expect(ids.has('3')).toBe(false);
  });
});
