#!/usr/bin/env node
/**
 * The project's own Apache Kafka broker for tests and development: one KRaft node (broker and
 * controller in one JVM) on 127.0.0.1, fetched with Maven from Maven Central and cached in
 * `.cache/kafka/`.
 *
 *   node scripts/kafka.mjs start    fetch (first run only), format (first run only), start, wait
 *                                   until the broker answers, print its address as the last stdout
 *                                   line; a running broker of this script is reused
 *   node scripts/kafka.mjs stop     SIGTERM, wait, then SIGKILL; fine when nothing runs
 *   node scripts/kafka.mjs status   print the address if the broker runs and answers, else exit 1
 *
 * Only the broker address goes to stdout (test/global-setup.ts and .ci/run read its last line);
 * everything else goes to stderr.
 *
 * Environment: KAFKA_PORT (19092; the controller listens on KAFKA_PORT + 1), KAFKA_HEAP_OPTS
 * ("-Xmx512m -Xms256m"), KAFKA_START_TIMEOUT (seconds to wait for the broker to answer, 90),
 * JAVA_HOME (else `java` on PATH; Kafka 4 needs Java 17 or later), KAFKA_STATE_DIR (`.cache/kafka`:
 * the folder of one broker's data, rendered config, logs and pid file).
 *
 * A second broker beside the usual one (a test that stops its broker while the suite's keeps
 * running, e.g. test/faults/kafka-outage.int.test.ts) sets both KAFKA_STATE_DIR and KAFKA_PORT and
 * passes them to every command: start, stop and status act on the broker of that state folder only.
 * The fetched jars and the script lock stay in `.cache/kafka` and are shared by every broker.
 *
 * Plain Node ESM on purpose: it must run before anything is compiled.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** The one Kafka version this project runs; changing it refetches the jars on the next start. */
const KAFKA_VERSION = '4.4.0';
/** Logging binding for the broker (Kafka's own distribution ships Log4j 2 behind SLF4J 2). */
const LOG4J_VERSION = '2.24.3';
const SLF4J_VERSION = '2.0.17';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATES = join(ROOT, 'scripts', 'kafka');
const CACHE = join(ROOT, '.cache', 'kafka');
const LIB = join(CACHE, 'lib');
const LIB_MARKER = join(LIB, '.complete');
/** One broker's own files; KAFKA_STATE_DIR lets a second broker run beside the default one. */
const STATE = process.env.KAFKA_STATE_DIR ? resolve(process.env.KAFKA_STATE_DIR) : CACHE;
const DATA = join(STATE, 'data');
const CONFIG = join(STATE, 'server.properties');
const BROKER_LOG = join(STATE, 'broker.log');
const FORMAT_LOG = join(STATE, 'format.log');
const PID_FILE = join(STATE, 'broker.pid');
const LOCK_FILE = join(CACHE, 'script.lock');

/** A failure the script explains to the user; anything else is a bug in the script. */
class ScriptError extends Error {}

function say(message) {
  process.stderr.write(`[kafka] ${message}\n`);
}

function settings() {
  const port = parsePort(process.env.KAFKA_PORT, 19092, 'KAFKA_PORT');
  if (port === 65535) throw new ScriptError('KAFKA_PORT must leave room for the controller port (KAFKA_PORT + 1)');
  const timeoutSeconds = Number(process.env.KAFKA_START_TIMEOUT ?? '90');
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new ScriptError(`KAFKA_START_TIMEOUT must be a positive number of seconds, got "${process.env.KAFKA_START_TIMEOUT}"`);
  }
  const heapOpts = (process.env.KAFKA_HEAP_OPTS ?? '-Xmx512m -Xms256m').split(/\s+/).filter(Boolean);
  return { port, controllerPort: port + 1, address: `127.0.0.1:${port}`, heapOpts, timeoutMs: timeoutSeconds * 1000 };
}

function parsePort(raw, fallback, name) {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ScriptError(`${name} must be a TCP port number, got "${raw}"`);
  }
  return port;
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Alive and not a zombie: a killed broker whose parent never reaps it must count as stopped. */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code === 'EPERM') return true;
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Guards against a recycled pid: the process must be a kafka.Kafka JVM running our config. */
function isOurBroker(pid) {
  if (!isAlive(pid)) return false;
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return commandLine.includes('kafka.Kafka') && commandLine.includes(CONFIG);
  } catch {
    // No /proc (not Linux): trust the pid file.
    return true;
  }
}

function readPidFile() {
  try {
    const record = JSON.parse(readFileSync(PID_FILE, 'utf8'));
    return Number.isInteger(record.pid) ? record : null;
  } catch {
    return null;
  }
}

function removeFile(path) {
  try {
    unlinkSync(path);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
}

async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(200);
  }
  return !isAlive(pid);
}

async function terminate(pid) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  // A controlled shutdown of a single node takes a few seconds; past 30 s something is stuck.
  if (await waitForExit(pid, 30_000)) return;
  say(`broker (pid ${pid}) did not stop within 30 s; sending SIGKILL`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  if (!(await waitForExit(pid, 10_000))) throw new ScriptError(`broker (pid ${pid}) survived SIGKILL`);
}

function tail(path, lines = 40) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${path})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Lock: vitest runs of several people or tools may call `start` at the same moment, and two
// scripts must neither fetch into the same folder nor start two brokers on one data directory.

let lockHeld = false;

function readLockOwner() {
  try {
    return Number(readFileSync(LOCK_FILE, 'utf8').trim());
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
}

async function acquireLock() {
  mkdirSync(CACHE, { recursive: true });
  // The lock appears with its owner's pid already inside (hard link of a written file), so a
  // waiting script never sees an empty lock and mistakes it for a stale one.
  const candidate = `${LOCK_FILE}.${process.pid}`;
  writeFileSync(candidate, String(process.pid));
  let lastNotice = 0;
  const deadline = Date.now() + 10 * 60_000;
  try {
    for (;;) {
      try {
        linkSync(candidate, LOCK_FILE);
        lockHeld = true;
        return;
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
      }
      const owner = readLockOwner();
      if (owner === null) continue;
      if (!Number.isInteger(owner) || owner <= 0 || !isAlive(owner)) {
        // Left behind by a script that was killed. Re-read right before removing, so a lock that a
        // third script has just taken is not removed on stale information.
        if (Object.is(readLockOwner(), owner)) removeFile(LOCK_FILE);
        continue;
      }
      if (Date.now() > deadline) throw new ScriptError(`another kafka.mjs (pid ${owner}) has held ${LOCK_FILE} for 10 minutes`);
      if (Date.now() - lastNotice > 10_000) {
        say(`waiting for another kafka.mjs (pid ${owner}) to finish`);
        lastNotice = Date.now();
      }
      await sleep(250);
    }
  } finally {
    removeFile(candidate);
  }
}

function releaseLock() {
  if (!lockHeld) return;
  lockHeld = false;
  if (readLockOwner() === process.pid) removeFile(LOCK_FILE);
}

process.on('exit', releaseLock);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    releaseLock();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

// ---------------------------------------------------------------------------------------------
// Java and the broker's jars

function javaCommand() {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function checkJava() {
  const java = javaCommand();
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new ScriptError(`cannot run "${java}" (${result.error.message}); Kafka ${KAFKA_VERSION} needs Java 17 or later (set JAVA_HOME or put java on PATH)`);
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (!(major >= 17)) {
    throw new ScriptError(`Kafka ${KAFKA_VERSION} needs Java 17 or later; "${java} -version" says: ${result.stderr.split('\n')[0]}`);
  }
}

function libKey() {
  return `kafka_2.13 ${KAFKA_VERSION}, log4j ${LOG4J_VERSION}, slf4j ${SLF4J_VERSION}\n`;
}

function jarsCached() {
  try {
    return readFileSync(LIB_MARKER, 'utf8') === libKey() && existsSync(join(LIB, `kafka_2.13-${KAFKA_VERSION}.jar`));
  } catch {
    return false;
  }
}

/** Runs a child with its output on our stderr, printing a heartbeat so long work is never silent. */
function runVisible(command, args, label) {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 2, 2] });
    const heartbeat = setInterval(() => say(`${label}: still working (${Math.round((Date.now() - started) / 1000)} s)`), 15_000);
    child.on('error', (error) => {
      clearInterval(heartbeat);
      reject(new ScriptError(`cannot run "${command}" (${error.message})`));
    });
    child.on('exit', (code, signal) => {
      clearInterval(heartbeat);
      if (code === 0) resolvePromise(Date.now() - started);
      else reject(new ScriptError(`${label} failed (${signal ?? `exit code ${code}`}); see the output above`));
    });
  });
}

async function ensureJars() {
  if (jarsCached()) {
    say(`using cached Apache Kafka ${KAFKA_VERSION} jars in ${LIB}`);
    return;
  }
  say(`fetching Apache Kafka ${KAFKA_VERSION} (org.apache.kafka:kafka_2.13) and its runtime dependencies with Maven into ${LIB} (first run only)`);
  rmSync(LIB, { recursive: true, force: true });
  mkdirSync(LIB, { recursive: true });
  const elapsed = await runVisible(
    'mvn',
    [
      '-B',
      '-Dstyle.color=never',
      '-f',
      join(TEMPLATES, 'pom.xml'),
      `-Dkafka.version=${KAFKA_VERSION}`,
      `-Dlog4j.version=${LOG4J_VERSION}`,
      `-Dslf4j.version=${SLF4J_VERSION}`,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${LIB}`,
      '-DincludeScope=runtime',
    ],
    'Maven',
  );
  if (!existsSync(join(LIB, `kafka_2.13-${KAFKA_VERSION}.jar`))) {
    throw new ScriptError(`Maven finished but ${LIB} holds no kafka_2.13-${KAFKA_VERSION}.jar`);
  }
  // Written last, so an interrupted fetch is redone instead of trusted.
  writeFileSync(LIB_MARKER, libKey());
  say(`fetched ${readdirSync(LIB).filter((name) => name.endsWith('.jar')).length} jars in ${Math.round(elapsed / 1000)} s`);
}

function jvmArgs(config) {
  return [
    `-Dlog4j2.configurationFile=${join(TEMPLATES, 'log4j2.properties')}`,
    '-Djava.awt.headless=true',
    '-cp',
    `${LIB}/*`,
    ...config,
  ];
}

// ---------------------------------------------------------------------------------------------
// Configuration and storage

function renderConfig({ port, controllerPort }) {
  const template = readFileSync(join(TEMPLATES, 'server.properties'), 'utf8');
  const values = { PORT: String(port), CONTROLLER_PORT: String(controllerPort), DATA_DIR: DATA };
  mkdirSync(STATE, { recursive: true });
  const rendered = template.replace(/\{\{(\w+)\}\}/g, (whole, name) => {
    if (!(name in values)) throw new Error(`scripts/kafka/server.properties: unknown placeholder ${whole}`);
    return values[name];
  });
  writeFileSync(CONFIG, rendered);
}

/** Kafka's own cluster ids: 16 random bytes, URL-safe base64; one starting with "-" reads as a CLI flag. */
function newClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function ensureFormatted() {
  if (existsSync(join(DATA, 'meta.properties'))) return;
  // Without meta.properties a folder is a half-done format (or nothing): start it over.
  rmSync(DATA, { recursive: true, force: true });
  mkdirSync(DATA, { recursive: true });
  const clusterId = newClusterId();
  say(`formatting KRaft storage in ${DATA} (cluster id ${clusterId})`);
  const out = openSync(FORMAT_LOG, 'w');
  try {
    const result = spawnSync(javaCommand(), [...jvmArgs(['kafka.tools.StorageTool', 'format', '--cluster-id', clusterId, '--config', CONFIG])], {
      cwd: CACHE,
      stdio: ['ignore', out, out],
    });
    if (result.error || result.status !== 0) {
      rmSync(DATA, { recursive: true, force: true });
      throw new ScriptError(`formatting KRaft storage failed (${result.error?.message ?? `exit code ${result.status}`}):\n${tail(FORMAT_LOG)}`);
    }
  } finally {
    closeSync(out);
  }
}

// ---------------------------------------------------------------------------------------------
// Talking to the broker

function portIsFree(port) {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', (error) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolvePromise(false);
      else reject(error);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolvePromise(true)));
  });
}

let kafkajs;

/** True when a Kafka broker at the address answers a cluster description that lists a broker. */
async function brokerAnswers(address) {
  kafkajs ??= (await import('kafkajs')).default;
  const { Kafka, logLevel } = kafkajs;
  const admin = new Kafka({
    clientId: 'fulfillment-pack-kafka-script',
    brokers: [address],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.listTopics();
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function waitUntilAnswering(pid, { address, timeoutMs }) {
  const started = Date.now();
  let lastNotice = started;
  for (;;) {
    if (!isAlive(pid)) throw new ScriptError(`the broker (pid ${pid}) exited during start-up; last lines of ${BROKER_LOG}:\n${tail(BROKER_LOG)}`);
    if (await brokerAnswers(address)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) {
      throw new ScriptError(`the broker (pid ${pid}) did not answer at ${address} within ${timeoutMs / 1000} s; last lines of ${BROKER_LOG}:\n${tail(BROKER_LOG)}`);
    }
    if (Date.now() - lastNotice >= 5_000) {
      say(`waiting for the broker to answer at ${address} (${Math.round((Date.now() - started) / 1000)} s)`);
      lastNotice = Date.now();
    }
    await sleep(500);
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

async function start() {
  const config = settings();
  await acquireLock();
  const running = readPidFile();
  if (running && isOurBroker(running.pid)) {
    if (running.port !== config.port) {
      throw new ScriptError(
        `a broker started by this script already runs on 127.0.0.1:${running.port} (pid ${running.pid}); run "npm run kafka:stop" first or use KAFKA_PORT=${running.port}`,
      );
    }
    say(`broker already running (pid ${running.pid}); checking that it answers`);
    await waitUntilAnswering(running.pid, config);
    return config.address;
  }
  if (running) removeFile(PID_FILE);

  checkJava();
  await ensureJars();
  for (const port of [config.port, config.controllerPort]) {
    if (!(await portIsFree(port))) {
      throw new ScriptError(
        `127.0.0.1:${port} is already in use by a process this script did not start; stop it, or choose other ports with KAFKA_PORT (the controller uses KAFKA_PORT + 1)`,
      );
    }
  }
  renderConfig(config);
  ensureFormatted();

  say(`starting Apache Kafka ${KAFKA_VERSION} on ${config.address} (log: ${BROKER_LOG})`);
  const log = openSync(BROKER_LOG, 'w');
  const child = spawn(
    javaCommand(),
    [
      ...config.heapOpts,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:+ExitOnOutOfMemoryError',
      ...jvmArgs(['kafka.Kafka', CONFIG]),
    ],
    // Detached with its output in a file: the broker outlives this script, and callers that read
    // our stdout (execFileSync in the test setup) must not wait for the broker to close it.
    { cwd: CACHE, detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  const spawnError = new Promise((resolvePromise) => child.once('error', resolvePromise));
  child.unref();
  if (!child.pid) throw new ScriptError(`cannot start "${javaCommand()}": ${(await spawnError).message}`);
  writeFileSync(PID_FILE, `${JSON.stringify({ pid: child.pid, port: config.port, controllerPort: config.controllerPort, version: KAFKA_VERSION })}\n`);

  try {
    const elapsed = await waitUntilAnswering(child.pid, config);
    say(`broker answers at ${config.address} (pid ${child.pid}, ${(elapsed / 1000).toFixed(1)} s after launch)`);
  } catch (error) {
    await terminate(child.pid);
    removeFile(PID_FILE);
    throw error;
  }
  return config.address;
}

async function stop() {
  await acquireLock();
  const running = readPidFile();
  if (!running || !isOurBroker(running.pid)) {
    say('no broker started by this script is running');
    removeFile(PID_FILE);
    return;
  }
  say(`stopping the broker (pid ${running.pid})`);
  await terminate(running.pid);
  removeFile(PID_FILE);
  say('stopped');
}

async function status() {
  const running = readPidFile();
  if (!running || !isOurBroker(running.pid)) {
    say('no broker started by this script is running');
    return null;
  }
  const address = `127.0.0.1:${running.port}`;
  if (!(await brokerAnswers(address))) {
    say(`broker running (pid ${running.pid}) but not answering at ${address}`);
    return null;
  }
  say(`broker running (pid ${running.pid}, Kafka ${running.version})`);
  return address;
}

async function main(command) {
  switch (command) {
    case 'start':
      process.stdout.write(`${await start()}\n`);
      return 0;
    case 'stop':
      await stop();
      return 0;
    case 'status': {
      const address = await status();
      if (address) process.stdout.write(`${address}\n`);
      return address ? 0 : 1;
    }
    default:
      say('usage: node scripts/kafka.mjs start|stop|status');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => {
    releaseLock();
    process.exit(code);
  },
  (error) => {
    releaseLock();
    say(error instanceof ScriptError ? error.message : (error?.stack ?? String(error)));
    process.exit(1);
  },
);
