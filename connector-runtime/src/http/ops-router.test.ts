import type { AddressInfo } from 'node:net';
import express from 'express';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { opsRouter } from './ops-router';

describe('readiness', () => {
  it('given a check that never answers, when /ready is called, then it reports that check DOWN within the timeout', async () => {
    const app = express().use(
      opsRouter(
        new Registry(),
        [
          { name: 'database', check: async () => undefined },
          { name: 'camunda', check: () => new Promise<void>(() => undefined) },
        ],
        50,
      ),
    );
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const started = performance.now();
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/ready`);
      expect(performance.now() - started).toBeLessThan(2000);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'DOWN',
        checks: [
          { name: 'database', status: 'UP' },
          { name: 'camunda', status: 'DOWN', reason: 'no answer within 50 ms' },
        ],
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
