import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database';
import { loadConfig } from './config';
import { startRuntime } from './runtime';

const silent = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('startRuntime', () => {
  it('given DATABASE_URL, migrates it and serves a ready API', async () => {
    const db: TestDatabase = await createTestDatabase('runtime');
    cleanups.push(() => db.drop());
    const runtime = await startRuntime(loadConfig({ DATABASE_URL: db.url, HTTP_PORT: '0' }), silent);
    cleanups.push(() => runtime.stop());

    const ready = await fetch(`${runtime.httpUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'UP', checks: [{ name: 'database', status: 'UP' }] });
    const metrics = await (await fetch(`${runtime.httpUrl}/metrics`)).text();
    expect(metrics).toContain('process_cpu_seconds_total');
  });

  it('given no DATABASE_URL, runs an embedded PostgreSQL that keeps its data across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fp-embedded-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const config = loadConfig({ EMBEDDED_PG_DIR: dataDir, EMBEDDED_PG_PORT: port, HTTP_PORT: '0' });

    const first = await startRuntime(config, silent);
    expect(first.databaseUrl).toContain(`127.0.0.1:${port}`);
    expect((await fetch(`${first.httpUrl}/ready`)).status).toBe(200);
    await first.stop();

    // A second start reuses the initialised data folder and finds the migrations applied.
    const second = await startRuntime(config, silent);
    cleanups.push(() => second.stop());
    expect((await fetch(`${second.httpUrl}/ready`)).status).toBe(200);
  }, 120_000);
});
