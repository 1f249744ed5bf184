/**
 * Operational endpoints: liveness (`/health`), readiness (`/ready`: every dependency check passes)
 * and Prometheus metrics (`/metrics`). They read nothing of the request: the app mounts them before
 * any body parsing, so a probe answers whatever body, charset or encoding it is sent.
 */
import { Router } from 'express';
import type { Registry } from 'prom-client';

/** A named readiness check; it throws (or rejects) when the dependency is not usable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** How long one readiness check may take before it counts as DOWN: probes must answer, not hang. */
export const readinessCheckTimeoutMs = 3000;

function withinTimeout(check: () => Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([check(), timeout]).finally(() => clearTimeout(timer));
}

/** Builds the router; `checks` run on every `/ready` call, in parallel, each within `timeoutMs`. */
export function opsRouter(registry: Registry, checks: readonly ReadinessCheck[], timeoutMs = readinessCheckTimeoutMs): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'UP' });
  });
  router.get('/ready', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await withinTimeout(check, timeoutMs);
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
