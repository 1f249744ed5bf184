/**
 * The runtime and the local engine as separate operating-system processes, for the tests that kill,
 * restart or multiply them (fault injection, scale-out). Each runs in a process group of its own,
 * so a kill reaches everything it started; `killAllProcesses` in an `afterAll` leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

const root = new URL('../..', import.meta.url).pathname;
const running = new Set<ChildProcess>();

/** A started child process. */
export interface ProcessHandle {
  pid: number;
  /** Everything it printed (stdout and stderr, the last 2 MB). */
  output(): string;
  /** Resolves when it has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (default SIGKILL: a crash) to its whole process group and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 20 s). */
  stop(graceMs?: number): Promise<void>;
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function launch(entry: string, env: Record<string, string | undefined>, ready: RegExp, what: string, timeoutMs: number): Promise<{ handle: ProcessHandle; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let text = '';
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    if (text.length > 4_000_000) text = text.slice(-2_000_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  const handle: ProcessHandle = {
    pid: child.pid!,
    output: () => text,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(signal);
      await exited;
    },
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      cleanup();
      void handle.kill();
      reject(new Error(`${what} did not get ready within ${timeoutMs} ms; it printed:\n${text.slice(-4000)}`));
    }, timeoutMs);
    const check = () => {
      const match = text.match(ready);
      if (!match) return;
      cleanup();
      resolve({ handle, match });
    };
    const early = ({ code, signal }: { code: number | null; signal: NodeJS.Signals | null }) => {
      cleanup();
      reject(new Error(`${what} exited (${signal ?? code}) before it was ready; it printed:\n${text.slice(-4000)}`));
    };
    const cleanup = () => {
      clearTimeout(deadline);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then((result) => {
      if (!text.match(ready)) early(result);
    });
  });
}

/** `npm run engine` on `databaseUrl`, on free ports. */
export async function startEngineProcess(options: { databaseUrl: string; env?: Record<string, string> }): Promise<ProcessHandle & { grpcAddress: string; restAddress: string }> {
  const env = {
    DATABASE_URL: options.databaseUrl,
    LOCAL_ENGINE_GRPC_PORT: String(await freePort()),
    LOCAL_ENGINE_REST_PORT: String(await freePort()),
    ...options.env,
  };
  const { handle, match } = await launch('local-engine/src/main.ts', env, /ZEEBE_GRPC_ADDRESS=(\S+)\s+ZEEBE_REST_ADDRESS=(\S+)/, 'the local engine', 60_000);
  return { ...handle, grpcAddress: match[1]!, restAddress: match[2]! };
}

/**
 * `npm start` with `env` on top of the test process's environment (set DATABASE_URL, and
 * ZEEBE_GRPC_ADDRESS / ZEEBE_REST_ADDRESS for a separate engine; otherwise the engine runs in the
 * runtime's process). HTTP and local-engine ports are free ones unless `env` names them; the log
 * is pino JSON at LOG_LEVEL info unless `env` says otherwise.
 */
export async function startRuntimeProcess(env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<ProcessHandle & { httpUrl: string }> {
  const full = {
    LOG_LEVEL: 'info',
    HTTP_PORT: String(await freePort()),
    LOCAL_ENGINE_GRPC_PORT: String(await freePort()),
    LOCAL_ENGINE_REST_PORT: String(await freePort()),
    ...env,
  };
  const { handle, match } = await launch('connector-runtime/src/main.ts', full, /fulfillment runtime ready on (http:\/\/[^"\s]+)/, 'the runtime', timeoutMs);
  return { ...handle, httpUrl: match[1]! };
}

/** Kills every process these helpers started and that still runs. */
export async function killAllProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            resolve();
          }
        }),
    ),
  );
}
