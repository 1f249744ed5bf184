/**
 * `npm run db:migrate`: applies pending migrations to DATABASE_URL (default: the machine's
 * PostgreSQL on 127.0.0.1:5432) and prints one line per migration. Exits 1 with the reason when the
 * history is inconsistent or a migration fails.
 */
import { defaultDatabaseUrl, migrate } from './migrate-lib';
import { FulfillmentError } from '../connector-runtime/src/errors';

const databaseUrl = process.env.DATABASE_URL?.trim() || defaultDatabaseUrl;

try {
  await migrate(databaseUrl, { log: (line) => console.log(line) });
} catch (error) {
  const code = error instanceof FulfillmentError ? ` [${error.code}]` : '';
  console.error(`db:migrate failed${code}: ${(error as Error).message}`);
  process.exitCode = 1;
}
