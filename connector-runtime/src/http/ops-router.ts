/**
 * Operational endpoints: liveness (`/health`), readiness (`/ready`: every dependency check passes)
 * and Prometheus metrics (`/metrics`).
 */
import { Router } from 'express';
import type { Registry } from 'prom-client';

/** A named readiness check; it throws (or rejects) when the dependency is not usable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** Builds the router; `checks` run on every `/ready` call, in parallel. */
export function opsRouter(registry: Registry, checks: readonly ReadinessCheck[]): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'UP' });
  });
  router.get('/ready', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await check();
          return { name, status: 'UP' as const };
        } catch (error) {
          return { name, status: 'DOWN' as const, reason: (error as Error).message };
        }
      }),
    );
    const up = results.every((r) => r.status === 'UP');
    res.status(up ? 200 : 503).json({ status: up ? 'UP' : 'DOWN', checks: results });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
