import { describe, expect, it } from 'vitest';
import type { ActivatedJob } from '../engine';
import type { GatewayBackend } from './backend';
import { JobDispatcher } from './job-dispatcher';

/** A backend with `queue` activatable jobs of type `t`, one handed out per activation. */
function backendWith(queue: number[]): { backend: GatewayBackend; activatable(): void } {
  let listener: ((type: string) => void) | undefined;
  const backend = {
    onJobActivatable(l: (type: string) => void) {
      listener = l;
      return () => undefined;
    },
    activateJobs: () => (queue.length > 0 ? [{ job: { key: queue.shift()! } } as unknown as ActivatedJob] : []),
    yieldJob: () => undefined,
    flush: async () => undefined,
  } as unknown as GatewayBackend;
  return { backend, activatable: () => listener!('t') };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('JobDispatcher', () => {
  it('given three streams of a type and jobs that become activatable one at a time, then each stream gets its turn', async () => {
    const queue: number[] = [];
    const { backend, activatable } = backendWith(queue);
    const dispatcher = new JobDispatcher(backend);
    const received = [0, 0, 0];
    for (const index of [0, 1, 2]) dispatcher.addStream({ request: { type: 't' } as never, push: () => ((received[index] = (received[index] ?? 0) + 1), true) });

    for (let key = 1; key <= 6; key += 1) {
      queue.push(key);
      activatable();
      await tick();
    }

    expect(received).toEqual([2, 2, 2]);
  });
});
