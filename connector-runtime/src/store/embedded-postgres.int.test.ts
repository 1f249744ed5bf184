/**
 * The embedded PostgreSQL where it cannot work: a data folder its server user cannot reach (as
 * root, the server runs as `postgres`, which cannot pass a folder only root may enter; as anyone
 * else, the folder cannot even be made). One readable line says what to do, no half-made folder is
 * left behind, and no password file stays in the temp folder.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedDatabaseError, startEmbeddedDatabase } from './embedded-postgres';

const parent = mkdtempSync(join(tmpdir(), 'fp-locked-'));
afterAll(() => {
  chmodSync(parent, 0o700);
  rmSync(parent, { recursive: true, force: true });
});

const initdbLeftovers = () => readdirSync(tmpdir()).filter((name) => name.startsWith('fp-initdb-'));

describe('embedded PostgreSQL', () => {
  it('given a data folder inside a folder nobody else may enter, then one line says what to do and nothing is left behind', async () => {
    chmodSync(parent, 0o000);
    const before = initdbLeftovers();
    const dataDir = join(parent, 'data');
    const started = startEmbeddedDatabase({ dataDir, port: 20000 + Math.floor(Math.random() * 20000) });
    await expect(started).rejects.toBeInstanceOf(EmbeddedDatabaseError);
    await expect(started).rejects.toThrow(/cannot reach .*fp-locked-.*data.*EMBEDDED_PG_DIR.*DATABASE_URL/);
    chmodSync(parent, 0o700);
    expect(existsSync(dataDir)).toBe(false);
    expect(initdbLeftovers()).toEqual(before);
  }, 60_000);
});
