/**
 * Runs once before the whole suite: PostgreSQL must answer at DATABASE_URL, and a Kafka broker must
 * run at KAFKA_BROKERS. When KAFKA_BROKERS is unset the project's own broker is started (or reused),
 * so the README's one test command works on a fresh machine as well as in CI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { defaultDatabaseUrl } from './helpers/database';

export default async function setup(project: TestProject): Promise<() => void> {
  const databaseUrl = process.env.DATABASE_URL ?? defaultDatabaseUrl;
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL does not answer at ${databaseUrl} (${(error as Error).message}). ` +
        'Start it (CI: pg_ctlcluster <version> main start) or set DATABASE_URL.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }

  let kafkaBrokers = process.env.KAFKA_BROKERS;
  // A broker this run starts is stopped when the run ends (about 360 MB); one that already ran is left as found.
  let startedHere = false;
  if (!kafkaBrokers) {
    const running = spawnSync(process.execPath, ['scripts/kafka.mjs', 'status'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    startedHere = running.status !== 0;
    // The script prints progress on stderr and the broker address as its last stdout line.
    const out = execFileSync(process.execPath, ['scripts/kafka.mjs', 'start'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    kafkaBrokers = out.trim().split('\n').pop()!.trim();
  }
  process.env.DATABASE_URL = databaseUrl;
  process.env.KAFKA_BROKERS = kafkaBrokers;
  project.provide('databaseUrl', databaseUrl);
  project.provide('kafkaBrokers', kafkaBrokers);
  return () => {
    if (startedHere) execFileSync(process.execPath, ['scripts/kafka.mjs', 'stop'], { stdio: ['ignore', 'ignore', 'inherit'] });
  };
}
