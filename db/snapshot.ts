/**
 * `npm run db:snapshot`: migrates a throwaway database on DATABASE_URL's server (default: the
 * machine's PostgreSQL), writes its schema snapshot to db/schema.sql and drops the database.
 * Run it after adding a migration and commit both.
 */
import { writeFile } from 'node:fs/promises';
import { createTestDatabase } from '../test/helpers/database';
import { migrate } from './migrate-lib';
import { schemaFile, schemaSnapshot } from './schema-snapshot';

const database = await createTestDatabase('snapshot');
try {
  await migrate(database.url);
  const snapshot = await schemaSnapshot(database.url);
  await writeFile(schemaFile, snapshot);
  console.log(`wrote ${schemaFile} (${snapshot.split('\n').length - 1} lines)`);
} catch (error) {
  console.error(`db:snapshot failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await database.drop();
}
