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

/** Wall-clock time. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  onChange(): () => void {
    return () => undefined;
  }
}

/** A clock that stands still until a test moves it. */
export class ManualClock implements Clock {
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
}
