import { describe, expect, it } from 'vitest';
import { isPinnable, ManualClock, SystemClock } from './clock';

describe('pinnable clocks', () => {
  it('given a system clock, when pinned, then it stands at the pin and tells listeners; a reset returns it to the system time', () => {
    const clock = new SystemClock();
    let changes = 0;
    clock.onChange(() => (changes += 1));
    clock.pin(1_000);
    expect(clock.now()).toBe(1_000);
    const before = Date.now();
    clock.reset();
    expect(clock.now()).toBeGreaterThanOrEqual(before);
    expect(changes).toBe(2);
    expect(isPinnable(clock)).toBe(true);
  });

  it('given a manual clock, when pinned and reset, then it moves to the pin, then to the system time, and stands there', () => {
    const clock = new ManualClock(0);
    clock.pin(5_000);
    expect(clock.now()).toBe(5_000);
    const before = Date.now();
    clock.reset();
    const reset = clock.now();
    expect(reset).toBeGreaterThanOrEqual(before);
    expect(clock.now()).toBe(reset);
  });
});
