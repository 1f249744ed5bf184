/**
 * Figure (b): signed partner callbacks ingested per second, and their p99 latency, at 50
 * concurrent keep-alive connections — the runtime's HTTP application (request id, method guard,
 * ops router, then the callback route: header checks, signature, UTF-8 and JSON checks, one
 * `callback_inbox` insert) against a bare express handler that stores the same row with one INSERT
 * and nothing else. Both listen in this process on their own pool of the runtime's size; the load
 * comes from a child process (http-load.ts), in rounds that alternate the two.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import type pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createApp } from '../http/app';
import { callbacksRouter } from '../http/callbacks-router';
import { createPool } from '../store/database';
import { runChild } from './child';
import type { HttpLoadResult } from './http-load';
import { figure, perSecond } from './stats';

/** Settings of the scenario. */
export interface CallbackBenchOptions {
  databaseUrl: string;
  seconds: number;
  rounds: number;
  connections: number;
  progress(line: string): void;
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The baseline: read the body, one INSERT of the same row, answer 202. No checks, no signature. */
function bareApp(pool: pg.Pool, tenantId: string): express.Express {
  const app = express();
  app.post('/api/v1/integrations/:system/callbacks', express.raw({ type: () => true, limit: '256kb' }), async (req, res) => {
    const raw = (req.body as Buffer).toString('utf8');
    const id = randomUUID();
    await pool.query(
      `insert into callback_inbox (tenant_id, id, source_system, webhook_id, webhook_timestamp, headers, raw_payload, payload, payload_hash, external_correlation_id)
       values ($1, $2, $3, $4, to_timestamp($5), $6::jsonb, $7, $8::jsonb, $9, null)`,
      [tenantId, id, req.params['system'], req.get('webhook-id'), Number(req.get('webhook-timestamp')), JSON.stringify({ 'webhook-id': req.get('webhook-id') }), raw, raw, 'none'],
    );
    res.status(202).json({ callbackId: id, status: 'ACCEPTED' });
  });
  return app;
}

/** Runs the scenario and returns its figures. */
export async function benchCallbackIngestion(options: CallbackBenchOptions) {
  const tenantId = 'tenant-bench-callbacks';
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const subjectPool = createPool(options.databaseUrl);
  const baselinePool = createPool(options.databaseUrl);
  const log = pino({ level: 'silent' });
  const subject = await listen(
    createApp({ log, registry: new Registry(), readiness: [], rawBodyRouters: [callbacksRouter(subjectPool, { provisioning: { tenantId, secrets: [secret] } })] }),
  );
  const baseline = await listen(bareApp(baselinePool, tenantId));
  const path = '/api/v1/integrations/provisioning/callbacks';
  const load = (url: string, seconds: number) => runChild<HttpLoadResult>('http-load.ts', { url: `${url}${path}`, connections: options.connections, seconds, secret });
  try {
    options.progress('callbacks: warm-up');
    await load(subject.url, Math.min(2, options.seconds));
    await load(baseline.url, Math.min(2, options.seconds));
    const subjectRounds: HttpLoadResult[] = [];
    const baselineRounds: HttpLoadResult[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      subjectRounds.push(await load(subject.url, options.seconds));
      baselineRounds.push(await load(baseline.url, options.seconds));
      const s = subjectRounds.at(-1)!;
      const b = baselineRounds.at(-1)!;
      options.progress(`callbacks round ${round + 1}: runtime ${perSecond(s.requests, s.elapsedMs).toFixed(0)} req/s p99 ${s.p99Ms} ms ${JSON.stringify(s.statuses)}, bare ${perSecond(b.requests, b.elapsedMs).toFixed(0)} req/s p99 ${b.p99Ms} ms ${JSON.stringify(b.statuses)}`);
    }
    const rate = (rounds: HttpLoadResult[]) => perSecond(rounds.reduce((sum, r) => sum + r.requests, 0), rounds.reduce((sum, r) => sum + r.elapsedMs, 0));
    // The median round's p99 (of two, the higher): the worst round's alone would report one noisy neighbour's minute.
    const p99 = (rounds: HttpLoadResult[]) => rounds.map((r) => r.p99Ms).sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!;
    const stored = await subjectPool.query<{ n: string }>(`select count(*) as n from callback_inbox where tenant_id = $1 and payload_hash <> 'none'`, [tenantId]);
    return {
      requestsPerSecond: figure(rate(subjectRounds), rate(baselineRounds), 0.9),
      p99LatencyMs: { subject: p99(subjectRounds), baseline: p99(baselineRounds) },
      connections: options.connections,
      errors: { subject: subjectRounds.reduce((sum, r) => sum + r.errors, 0), baseline: baselineRounds.reduce((sum, r) => sum + r.errors, 0) },
      subjectRowsStored: Number(stored.rows[0]!.n),
      ratioPerRound: subjectRounds.map((s, i) => Math.round((perSecond(s.requests, s.elapsedMs) / perSecond(baselineRounds[i]!.requests, baselineRounds[i]!.elapsedMs)) * 100) / 100),
    };
  } finally {
    await close(subject.server);
    await close(baseline.server);
    await subjectPool.end();
    await baselinePool.end();
  }
}
