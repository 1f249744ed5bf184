/**
 * A closed-loop HTTP load generator for `npm run bench:runtime`, run as a child process so it does
 * not share an event loop with the server it measures: `connections` keep-alive connections, each
 * sending the next request as soon as the last one is answered, for `seconds`. Every request is a
 * partner callback signed with Standard Webhooks under a webhook-id of its own (so each is a new
 * callback, never a redelivery). Prints one JSON line: requests, errors, elapsed time, p50/p99.
 *
 * Usage: node --import tsx http-load.ts '{"url":"http://...","connections":50,"seconds":5,"secret":"whsec_..."}'
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { percentile, round2 } from './stats';

/** What the generator is told. */
export interface HttpLoadOptions {
  url: string;
  connections: number;
  seconds: number;
  secret: string;
}

/** What it measured. */
export interface HttpLoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
}

function post(agent: http.Agent, url: URL, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function run(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const url = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const webhook = new Webhook(options.secret);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  const end = started + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < end) {
        const webhookId = `msg_${randomUUID()}`;
        const body = JSON.stringify({ externalCorrelationId: randomUUID(), outcome: 'SUCCEEDED', reference: `PRV-${webhookId.slice(4, 12)}`, result: { serviceId: webhookId } });
        const now = new Date();
        const headers = { 'webhook-id': webhookId, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': webhook.sign(webhookId, now, body) };
        const sent = performance.now();
        try {
          const status = await post(agent, url, body, headers);
          latencies.push(performance.now() - sent);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status >= 300) errors += 1;
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return { requests: latencies.length, errors, statuses, elapsedMs: round2(elapsedMs), p50Ms: round2(percentile(latencies, 50)), p99Ms: round2(percentile(latencies, 99)) };
}

run(JSON.parse(process.argv[2] ?? '{}') as HttpLoadOptions).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
