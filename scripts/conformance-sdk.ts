/**
 * `npm run conformance:sdk -- /path/to/camunda-8-js-sdk`: runs Camunda's own JavaScript SDK
 * integration tests (camunda/camunda-8-js-sdk, checked out at a tag such as v8.8.13, unmodified)
 * against the local engine and prints what passed and what failed. A report, not a gate: it exits 0
 * whatever the tests say, and 1 only when a suite could not run at all.
 *
 * The checkout comes from the first argument or SDK_CHECKOUT; it must have its node_modules (the
 * script fetches nothing). The SDK's 8.8 CI profile (`npm run test:8.8:sm`, job
 * `local_integration_8_8` of .github/workflows/ci.yml) is reproduced: TEST_VERSION=8.8
 * TEST_DEPLOYMENT=self-managed TEST_TENANCY=single-tenant TEST_SECURITY=unsecured,
 * ZEEBE_GRPC_ADDRESS, ZEEBE_REST_ADDRESS, CAMUNDA_AUTH_STRATEGY=NONE, CAMUNDA_TENANT_ID=<default>,
 * with vitest (the SDK's test runner at 8.8) one file at a time. Two suites:
 * - gRPC: src/__tests__/zeebe/integration (ZeebeGrpcClient and its workers);
 * - REST: src/__tests__/c8/rest and src/__tests__/8.8 (CamundaRestClient);
 * unit specs (`*.unit.spec.ts`) are left out.
 *
 * By default a local engine is started for the run on free ports with a fresh embedded PostgreSQL in
 * a temporary folder, and stopped afterwards. `--grpc-address grpc://host:port --rest-address
 * http://host:port` use an engine that is already running instead.
 * vitest's JSON reports (gRPC.json, REST.json) and the engine's log stay in .cache/conformance-sdk
 * (one run at a time: a second run overwrites them).
 * Other settings: CONFORMANCE_SUITE_TIMEOUT_MS (default 1,200,000), per suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface Suite {
  name: string;
  /** Folders (relative to the checkout) whose spec files make the suite. */
  paths: string[];
}

const suites: Suite[] = [
  { name: 'gRPC', paths: ['src/__tests__/zeebe/integration'] },
  { name: 'REST', paths: ['src/__tests__/c8/rest', 'src/__tests__/8.8'] },
];

/** The part of vitest's (jest-compatible) JSON report that is read here. */
interface JsonReport {
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages?: string[] }[];
  }[];
}

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  /** Spec files that failed outside their tests (a failing beforeAll): vitest reports their tests as skipped. */
  fileErrors: number;
  /** `file › test — first line of the failure`, and files that failed without a test result. */
  failures: string[];
  /** Set when the suite produced no report. */
  error?: string;
}

class UsageError extends Error {}

const repositoryRoot = path.resolve(import.meta.dirname, '..');

/** Ctrl+C: the running suite is ended, no further suite starts, the engine is stopped. */
let interrupted = false;

function parseArguments(argv: string[]): { checkout: string; grpcAddress?: string; restAddress?: string } {
  let checkout = process.env.SDK_CHECKOUT;
  let grpcAddress: string | undefined;
  let restAddress: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i]!;
    const [flag, inline] = argument.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => {
      const next = inline ?? argv[++i];
      if (!next) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === '--grpc-address') grpcAddress = value();
    else if (flag === '--rest-address') restAddress = value();
    else if (argument.startsWith('-')) throw new UsageError(`unknown option ${argument}`);
    else checkout = argument;
  }
  if (!checkout) throw new UsageError('name the SDK checkout: npm run conformance:sdk -- /path/to/camunda-8-js-sdk (or set SDK_CHECKOUT)');
  if ((grpcAddress === undefined) !== (restAddress === undefined)) throw new UsageError('--grpc-address and --rest-address go together');
  return { checkout: path.resolve(checkout), grpcAddress, restAddress };
}

function checkCheckout(checkout: string): string {
  const manifest = path.join(checkout, 'package.json');
  if (!existsSync(manifest)) throw new UsageError(`${checkout} is not a checkout of camunda/camunda-8-js-sdk (no package.json)`);
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
  if (pkg.name !== '@camunda8/sdk') throw new UsageError(`${checkout} is not a checkout of camunda/camunda-8-js-sdk (package '${pkg.name}')`);
  if (!existsSync(path.join(checkout, 'node_modules', '.bin', 'vitest'))) throw new UsageError(`${checkout} has no node_modules: run npm ci in ${checkout} first`);
  return pkg.version ?? 'unknown';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface RunningEngine {
  grpcAddress: string;
  restAddress: string;
  stop(): Promise<void>;
}

/** `npm run engine` on ephemeral ports with a fresh embedded PostgreSQL in `workDir`. */
async function startEngine(workDir: string, reportDir: string): Promise<RunningEngine> {
  const logFile = path.join(reportDir, 'engine.log');
  const log = createWriteStream(logFile);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOCAL_ENGINE_GRPC_PORT: '0',
    LOCAL_ENGINE_REST_PORT: '0',
    LOCAL_ENGINE_HOST: 'localhost',
    LOCAL_ENGINE_DATA_DIR: path.join(workDir, 'postgres'),
    LOCAL_ENGINE_PG_PORT: String(await freePort()),
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'local-engine/src/main.ts'], { cwd: repositoryRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const addresses = await new Promise<{ grpc: string; rest: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the local engine did not start within 120 s (log: ${logFile})`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      log.write(chunk);
      output += chunk.toString();
      const grpc = /ZEEBE_GRPC_ADDRESS=(\S+)/.exec(output)?.[1];
      const rest = /ZEEBE_REST_ADDRESS=(\S+)/.exec(output)?.[1];
      if (grpc && rest && output.includes('Press Ctrl+C')) {
        clearTimeout(timer);
        resolve({ grpc, rest });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the local engine exited (code ${code}) before it was ready (log: ${logFile})`));
    });
  }).catch(async (error: unknown) => {
    await stopChild(child, exited);
    await new Promise<void>((resolve) => log.end(() => resolve()));
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-20).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}${tail ? `\n${tail}` : ''}`);
  });
  return {
    grpcAddress: addresses.grpc,
    restAddress: addresses.rest,
    stop: async () => {
      await stopChild(child, exited);
      log.end();
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
}

/** The SDK's environment for the 8.8 self-managed CI profile; inherited ZEEBE_ and CAMUNDA_ settings are dropped. */
function sdkEnvironment(grpcAddress: string, restAddress: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(ZEEBE_|CAMUNDA_|TEST_)/.test(key)) env[key] = value;
  return {
    ...env,
    TEST_VERSION: '8.8',
    TEST_DEPLOYMENT: 'self-managed',
    TEST_TENANCY: 'single-tenant',
    TEST_SECURITY: 'unsecured',
    ZEEBE_GRPC_ADDRESS: grpcAddress.includes('://') ? grpcAddress : `grpc://${grpcAddress}`,
    ZEEBE_REST_ADDRESS: restAddress,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    CAMUNDA_TENANT_ID: '<default>',
  };
}

/** Vitest runs in a process group of its own (with its workers): a timeout or Ctrl+C ends all of it. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The gist of a failure: a REST problem's detail, else the first lines that say something. */
function reason(message: string | undefined): string {
  if (!message) return '';
  const detail = /"detail":"((?:[^"\\]|\\.)*)"/.exec(message)?.[1];
  let text = message;
  try {
    if (detail !== undefined) text = JSON.parse(`"${detail}"`) as string;
  } catch {
    // not a JSON string after all: keep the whole message
  }
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^(Error: )?STACK_TRACE_ERROR$/.test(line) && !line.startsWith('at ') && !line.startsWith('❯'));
  // Zeebe's deployment rejection puts the resource's own error after a fixed preamble
  const gist = lines.slice(0, 2).join(' ').replace(/^.*Expected to deploy new resources, but encountered the following errors: /, 'deployment rejected: ');
  return gist.length > 240 ? `${gist.slice(0, 239)}…` : gist;
}

async function runSuite(suite: Suite, checkout: string, env: NodeJS.ProcessEnv, reportDir: string): Promise<SuiteResult> {
  const reportFile = path.join(reportDir, `${suite.name}.json`);
  rmSync(reportFile, { force: true });
  const timeoutMs = Number(process.env.CONFORMANCE_SUITE_TIMEOUT_MS) || 1_200_000;
  const args = [
    'run',
    ...suite.paths,
    '--exclude',
    '**/*.unit.spec.ts',
    '--no-file-parallelism',
    '--sequence.concurrent=false',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
  ];
  console.log(`\n=== ${suite.name}: vitest ${args.join(' ')}`);
  const child = spawn(path.join(checkout, 'node_modules', '.bin', 'vitest'), args, { cwd: checkout, env, stdio: 'inherit', detached: true });
  const interrupt = () => {
    interrupted = true;
    killGroup(child);
  };
  process.once('SIGINT', interrupt);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child);
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', (exitCode) => resolve(exitCode));
    child.once('error', () => resolve(null));
  });
  clearTimeout(timer);
  process.off('SIGINT', interrupt);
  const result: SuiteResult = { name: suite.name, passed: 0, failed: 0, skipped: 0, fileErrors: 0, failures: [] };
  if (!existsSync(reportFile)) {
    result.error = timedOut ? `timed out after ${timeoutMs} ms` : `vitest wrote no report (exit code ${code})`;
    return result;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport;
  for (const file of report.testResults) {
    const relative = path.relative(checkout, file.name);
    for (const test of file.assertionResults) {
      if (test.status === 'passed') result.passed++;
      else if (test.status === 'failed') {
        result.failed++;
        const why = reason(test.failureMessages?.[0]);
        result.failures.push(`${relative} › ${test.fullName} — ${why || '(no message: the SDK hid it; see the vitest output above)'}`);
      } else result.skipped++;
    }
    if (file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed')) {
      result.fileErrors++;
      result.failures.push(`${relative} (whole file, before its tests) — ${reason(file.message)}`);
    }
  }
  if (timedOut) result.failures.push(`(suite timed out after ${timeoutMs} ms)`);
  return result;
}

function printTable(results: SuiteResult[], version: string): void {
  console.log(`\nCamunda 8 JS SDK ${version} integration tests against the local engine`);
  const rows = [
    ['suite', 'passed', 'failed', 'skipped', 'file errors'],
    ...results.map((r) => (r.error ? [r.name, '-', '-', '-', '-'] : [r.name, String(r.passed), String(r.failed), String(r.skipped), String(r.fileErrors)])),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));
  for (const result of results) {
    if (result.error) console.log(`\n${result.name}: could not run: ${result.error}`);
    if (result.fileErrors > 0) console.log(`\n${result.name}: ${result.fileErrors} spec file(s) failed before their tests ran; vitest counts those tests as skipped.`);
    if (result.failures.length > 0) {
      console.log(`\n${result.name} failures:`);
      for (const failure of result.failures) console.log(`  - ${failure}`);
    }
  }
}

async function main(): Promise<number> {
  const options = parseArguments(process.argv.slice(2));
  const version = checkCheckout(options.checkout);
  const reportDir = path.join(repositoryRoot, '.cache', 'conformance-sdk');
  mkdirSync(reportDir, { recursive: true });
  const workDir = mkdtempSync(path.join(tmpdir(), 'conformance-sdk-'));
  chmodSync(workDir, 0o711); // run as root, the embedded PostgreSQL runs as "postgres" and must reach its data folder
  let engine: RunningEngine | undefined;
  try {
    if (options.grpcAddress && options.restAddress) {
      engine = { grpcAddress: options.grpcAddress, restAddress: options.restAddress, stop: async () => {} };
    } else {
      console.log('Starting the local engine (fresh embedded PostgreSQL)...');
      engine = await startEngine(workDir, reportDir);
    }
    console.log(`Engine: gRPC ${engine.grpcAddress}, REST ${engine.restAddress}; SDK ${version} in ${options.checkout}`);
    const env = sdkEnvironment(engine.grpcAddress, engine.restAddress);
    const results: SuiteResult[] = [];
    for (const suite of suites) if (!interrupted) results.push(await runSuite(suite, options.checkout, env, reportDir));
    printTable(results, version);
    console.log(`\nvitest JSON reports${options.grpcAddress ? '' : ' and the engine log'} in ${path.relative(process.cwd(), reportDir) || '.'}`);
    return results.some((result) => result.error) ? 1 : 0;
  } finally {
    await engine?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`conformance:sdk: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
