/**
 * `npm start` as a user runs it: a child process on embedded defaults (embedded PostgreSQL, local
 * engine, simulators), stopped by SIGTERM to the npm process (a container runtime) or SIGINT to the
 * whole process group (a terminal's Ctrl-C); started beside a running one, or on a taken port. Each
 * ends with a clean exit or one readable line, no warnings, and nothing left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'fp-start-stop-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function ports(): Promise<Record<string, string>> {
  return {
    HTTP_PORT: String(await freePort()),
    LOCAL_ENGINE_GRPC_PORT: String(await freePort()),
    LOCAL_ENGINE_REST_PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(await freePort()),
  };
}

/** A running `npm start` in a process group of its own, with its output collected. */
interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function npmStart(env: Record<string, string>): Started {
  const environment: Record<string, string | undefined> = { ...process.env, EMBEDDED_PG_DIR: dataDir, LOG_LEVEL: 'info', ...env };
  // The runtime on embedded defaults: no database, Kafka or cluster of the test suite.
  delete environment['DATABASE_URL'];
  delete environment['KAFKA_BROKERS'];
  const child = spawn('npm', ['start'], { cwd: root, env: environment, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function ready(env: Record<string, string>, started: Started): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`npm start exited early:\n${started.output()}`);
    try {
      const answer = await fetch(`http://127.0.0.1:${env['HTTP_PORT']}/ready`);
      if (answer.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not ready within 90 s:\n${started.output()}`);
}

/** Lines a person would read as trouble: warnings, errors, stack traces. */
function trouble(output: string): string[] {
  return output.split('\n').filter((line) => /"level":(40|50|60)|^\s+at |Error:|ERROR|WARN/.test(line));
}

/** True when nothing answers on the port (the process that held it is gone). */
async function portFree(port: string): Promise<boolean> {
  const server: Server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(Number(port), '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function postgresRunning(): boolean {
  return existsSync(join(dataDir, 'postmaster.pid'));
}

async function expectNothingLeft(env: Record<string, string>): Promise<void> {
  for (const name of ['HTTP_PORT', 'LOCAL_ENGINE_GRPC_PORT', 'LOCAL_ENGINE_REST_PORT', 'EMBEDDED_PG_PORT']) expect(await portFree(env[name]!), name).toBe(true);
  expect(postgresRunning()).toBe(false);
}

describe('npm start', () => {
  it('given SIGTERM to the npm process, then it stops in order, exits 0, logs no warning and leaves nothing running', async () => {
    const env = await ports();
    const started = npmStart(env);
    await ready(env, started);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(started.output()).toContain('"msg":"stopped"');
    expect(trouble(started.output())).toEqual([]);
    await expectNothingLeft(env);
  }, 120_000);

  it('given Ctrl-C (SIGINT to the whole process group), then the same clean stop', async () => {
    const env = await ports();
    const started = npmStart(env);
    await ready(env, started);
    process.kill(-started.child.pid!, 'SIGINT');
    await started.exited;
    expect(started.output()).toContain('"msg":"stopped"');
    expect(trouble(started.output())).toEqual([]);
    await expectNothingLeft(env);
  }, 120_000);

  it('given a second npm start beside a running one, then it says which port is taken and which setting to change, exits 1, and the first keeps running', async () => {
    const env = await ports();
    const first = npmStart(env);
    await ready(env, first);
    const second = npmStart(env);
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`start failed: gRPC port ${env['LOCAL_ENGINE_GRPC_PORT']} on 127.0.0.1 is taken`);
    expect(second.output()).toContain('set LOCAL_ENGINE_GRPC_PORT to a free port');
    expect(trouble(second.output())).toEqual([]);
    expect((await fetch(`http://127.0.0.1:${env['HTTP_PORT']}/ready`)).status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    await expectNothingLeft(env);
  }, 180_000);

  it('given the HTTP port taken by another program, then one line names HTTP_PORT, exit 1, and nothing it started is left running', async () => {
    const env = await ports();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(env['HTTP_PORT']), '127.0.0.1', resolve));
    try {
      const started = npmStart(env);
      expect(await started.exited).toBe(1);
      expect(started.output()).toContain(`start failed: HTTP port ${env['HTTP_PORT']} on 127.0.0.1 is taken`);
      expect(started.output()).toContain('set HTTP_PORT');
      expect(trouble(started.output())).toEqual([]);
      for (const name of ['LOCAL_ENGINE_GRPC_PORT', 'LOCAL_ENGINE_REST_PORT', 'EMBEDDED_PG_PORT']) expect(await portFree(env[name]!), name).toBe(true);
      expect(postgresRunning()).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 120_000);

  it('given the engine REST port taken, then it does not claim to be ready: one line names LOCAL_ENGINE_REST_PORT, exit 1, nothing left running', async () => {
    const env = await ports();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(env['LOCAL_ENGINE_REST_PORT']), '127.0.0.1', resolve));
    try {
      const started = npmStart(env);
      expect(await started.exited).toBe(1);
      expect(started.output()).toContain(`start failed: REST port ${env['LOCAL_ENGINE_REST_PORT']} on 127.0.0.1 is taken`);
      expect(started.output()).toContain('set LOCAL_ENGINE_REST_PORT');
      expect(started.output()).not.toContain('fulfillment runtime ready');
      expect(trouble(started.output())).toEqual([]);
      for (const name of ['HTTP_PORT', 'LOCAL_ENGINE_GRPC_PORT', 'EMBEDDED_PG_PORT']) expect(await portFree(env[name]!), name).toBe(true);
      expect(postgresRunning()).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 120_000);

  it('given npm run engine stopped with SIGTERM, then the engine stops before its database: no failed checkpoint, nothing left running', async () => {
    const env = await ports();
    const engineDir = mkdtempSync(join(tmpdir(), 'fp-engine-stop-'));
    const environment: Record<string, string | undefined> = {
      ...process.env,
      LOCAL_ENGINE_GRPC_PORT: env['LOCAL_ENGINE_GRPC_PORT'],
      LOCAL_ENGINE_REST_PORT: env['LOCAL_ENGINE_REST_PORT'],
      LOCAL_ENGINE_PG_PORT: env['EMBEDDED_PG_PORT'],
      LOCAL_ENGINE_DATA_DIR: engineDir,
    };
    delete environment['DATABASE_URL'];
    const child = spawn('npm', ['run', 'engine'], { cwd: root, env: environment, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      while (!text.includes('Press Ctrl+C to stop.') && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(text).toContain('Press Ctrl+C to stop.');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(text).not.toMatch(/checkpoint|shutting down|Error/);
      for (const name of ['LOCAL_ENGINE_GRPC_PORT', 'LOCAL_ENGINE_REST_PORT', 'EMBEDDED_PG_PORT']) expect(await portFree(env[name]!), name).toBe(true);
      expect(existsSync(join(engineDir, 'postmaster.pid'))).toBe(false);
    } finally {
      rmSync(engineDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('documents the embedded login it uses', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('postgres://postgres:postgres@127.0.0.1:5433/fulfillment');
  });
});
