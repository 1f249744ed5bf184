/**
 * The engine's notion of time. Timers, job activation timeouts, retry back-offs and message TTLs
 * all read this clock, so tests can move time forward instead of sleeping.
 */

/** A source of the current time that can tell the engine when it jumped. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Registers a listener called after the time changed by other means than passing; returns an unsubscribe. */
  onChange(listener: () => void): () => void;
}

/**
 * A clock that can be pinned to an instant and reset, as Camunda's controlled clock (REST
 * `PUT /v2/clock`, `POST /v2/clock/reset`) lets tests do.
 */
export interface PinnableClock extends Clock {
  /** Stops the clock at `timestamp` (epoch milliseconds) and lets the engine fire what became due. */
  pin(timestamp: number): void;
  /** Returns the clock to the system time. */
  reset(): void;
}

/** Whether a clock can be pinned and reset. */
export function isPinnable(clock: Clock): clock is PinnableClock {
  return typeof (clock as Partial<PinnableClock>).pin === 'function' && typeof (clock as Partial<PinnableClock>).reset === 'function';
}

/** Wall-clock time, unless pinned. */
export class SystemClock implements PinnableClock {
  private pinned: number | undefined;
  private listeners = new Set<() => void>();
  now(): number {
    return this.pinned ?? Date.now();
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  pin(timestamp: number): void {
    this.pinned = timestamp;
    for (const listener of this.listeners) listener();
  }
  reset(): void {
    this.pinned = undefined;
    for (const listener of this.listeners) listener();
  }
}

/** A clock that stands still until a test moves it (pinning moves it too; a reset moves it to the system time, where it stands still again). */
export class ManualClock implements PinnableClock {
  private listeners = new Set<() => void>();
  constructor(private current = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.current;
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  /** Moves time forward by `ms` and lets the engine fire what became due. */
  advance(ms: number): void {
    this.current += ms;
    for (const listener of this.listeners) listener();
  }
  pin(timestamp: number): void {
    this.current = timestamp;
    for (const listener of this.listeners) listener();
  }
  reset(): void {
    this.pin(Date.now());
  }
}
