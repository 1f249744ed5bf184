/**
 * One partner simulator shared by several runtime processes, behind a switchboard that knows who
 * called whom. Runtime `i` reaches the partners at `{url}/r{i}` (its PARTNER_URLS); the switchboard
 * strips the prefix, passes the request to the simulator and remembers which runtime submitted each
 * external correlation id. The simulator calls back to the switchboard, which hands each callback to
 * a runtime *other* than the one that made the request — so every callback crosses runtimes, and
 * only the database-backed callback route and correlation relay can bring it to the right process
 * instance.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSimulatorSecrets, PartnerSimulator, type SimulatorModes } from '../../connector-runtime/src/adapters';
import { partnerSystems } from '../../connector-runtime/src/adapters/partner-adapter';
import { externalSystems } from '../../connector-runtime/src/domain/vocabulary';

/** One callback the switchboard passed on. */
export interface RoutedCallback {
  system: string;
  webhookId: string;
  externalCorrelationId: string;
  /** The runtime that made the request the callback answers; undefined when unknown. */
  caller: number | undefined;
  /** The runtime it was delivered to. */
  receiver: number;
  status: number | null;
}

/** A running switchboard with its simulator. */
export interface PartnerSwitchboard {
  simulator: PartnerSimulator;
  /** PARTNER_URLS of runtime `index`. */
  partnerUrls(index: number): string;
  /** CALLBACK_ADAPTERS for `tenantId`: the simulator's secrets, the same for every runtime. */
  callbackAdapters(tenantId: string): string;
  /** Partner requests per runtime index. */
  requestsBy: number[];
  callbacks: RoutedCallback[];
  /** Where callbacks go from now on: the runtimes' base URLs, by index. */
  setRuntimes(httpUrls: readonly string[]): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function correlationIdOf(body: Buffer): string | undefined {
  try {
    const value = (JSON.parse(body.toString('utf8')) as { externalCorrelationId?: unknown }).externalCorrelationId;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the simulator (with `modes` for every system) and the switchboard in front of it, on loopback. */
export async function startPartnerSwitchboard(runtimeCount: number, modes: SimulatorModes): Promise<PartnerSwitchboard> {
  const secrets = generateSimulatorSecrets();
  const simulator = new PartnerSimulator({ callbackBaseUrl: 'http://127.0.0.1:0', secrets, defaults: modes });
  const { url: simulatorUrl } = await simulator.start();
  const callerOf = new Map<string, number>();
  const requestsBy = Array.from({ length: runtimeCount }, () => 0);
  const callbacks: RoutedCallback[] = [];
  let runtimes: readonly string[] = [];
  let roundRobin = 0;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = req.url ?? '/';
      const partnerCall = /^\/r(\d+)(\/[a-z]+\/tasks)$/.exec(path);
      const callback = /^\/api\/v1\/integrations\/([a-z]+)\/callbacks$/.exec(path);
      if (partnerCall) {
        const caller = Number(partnerCall[1]);
        requestsBy[caller] = (requestsBy[caller] ?? 0) + 1;
        const correlationId = correlationIdOf(body);
        if (correlationId !== undefined) callerOf.set(correlationId, caller);
        const headers: Record<string, string> = { 'content-type': String(req.headers['content-type'] ?? 'application/json') };
        if (typeof req.headers['idempotency-key'] === 'string') headers['idempotency-key'] = req.headers['idempotency-key'];
        const answer = await fetch(`${simulatorUrl}${partnerCall[2]}`, { method: req.method ?? 'POST', headers, body: new Uint8Array(body) });
        const replayed = answer.headers.get('idempotent-replayed');
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json', ...(replayed ? { 'idempotent-replayed': replayed } : {}) });
        res.end(Buffer.from(await answer.arrayBuffer()));
        return;
      }
      if (callback && runtimes.length > 0) {
        const correlationId = correlationIdOf(body) ?? '';
        const caller = callerOf.get(correlationId);
        // Never back to the runtime that made the request.
        const receiver = caller === undefined ? roundRobin++ % runtimes.length : (caller + 1 + (roundRobin++ % (runtimes.length - 1))) % runtimes.length;
        const headers: Record<string, string> = {};
        for (const name of ['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature']) {
          const value = req.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        let status: number | null = null;
        try {
          const answer = await fetch(`${runtimes[receiver]}${path}`, { method: 'POST', headers, body: new Uint8Array(body), signal: AbortSignal.timeout(10_000) });
          status = answer.status;
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        } catch {
          res.writeHead(502).end();
        }
        callbacks.push({ system: callback[1]!, webhookId: headers['webhook-id'] ?? '', externalCorrelationId: correlationId, caller, receiver, status });
        return;
      }
      res.writeHead(404).end();
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  simulator.setCallbackBaseUrl(url);

  return {
    simulator,
    partnerUrls: (index) => JSON.stringify(Object.fromEntries(partnerSystems.map((system) => [system, `${url}/r${index}`]))),
    callbackAdapters: (tenantId) => JSON.stringify(Object.fromEntries(externalSystems.map((system) => [system, { tenantId, secrets: [secrets[system]] }]))),
    requestsBy,
    callbacks,
    setRuntimes(httpUrls) {
      runtimes = [...httpUrls];
    },
    async close() {
      await simulator.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
