/**
 * The loop every relay runs: call `round` until stopped; go again at once after a full round,
 * wait `pollIntervalMs` after a partial one, back off exponentially (up to `maxBackoffMs`) after a
 * failure. `stop` wakes a waiting loop and resolves once the current round has ended.
 */
import type { Logger } from '../observability/logger';

/** Options of a poll loop. */
export interface PollLoopOptions {
  /** Name in logs. */
  name: string;
  /** One round; resolves true when it did a full batch (so more may be waiting). */
  round(): Promise<boolean>;
  log: Logger;
  pollIntervalMs: number;
  maxBackoffMs: number;
}

/** A started loop. */
export interface PollLoop {
  stop(): Promise<void>;
}

/** Starts the loop. */
export function startPollLoop(options: PollLoopOptions): PollLoop {
  let stopped = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      wake = undefined;
    });
  const running = (async () => {
    let backoff = 0;
    while (!stopped) {
      let wait = options.pollIntervalMs;
      try {
        const full = await options.round();
        backoff = 0;
        if (full) wait = 0;
      } catch (error) {
        backoff = Math.min(options.maxBackoffMs, backoff === 0 ? options.pollIntervalMs : backoff * 2);
        wait = backoff;
        options.log.warn({ err: error, retryInMs: backoff }, `${options.name}: round failed`);
      }
      if (wait > 0 && !stopped) await sleep(wait);
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}
