import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MigrationHistoryError, migrationsDir, readMigrationFiles } from './migrate-lib';

const folders: string[] = [];

async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fp-migration-files-'));
  folders.push(dir);
  for (const [name, content] of Object.entries(files)) {
    if (name.endsWith('/')) await mkdir(join(dir, name));
    else await writeFile(join(dir, name), content);
  }
  return dir;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MigrationHistoryError);
  return (error as MigrationHistoryError).code;
}

afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('migration files', () => {
  it('reads the project migrations in number order, each with the sha256 of its bytes', async () => {
    const files = await readMigrationFiles(migrationsDir);
    expect(files.length).toBeGreaterThanOrEqual(7);
    expect(files.map((file) => Number(file.fileName.slice(0, 6)))).toEqual(files.map((_, index) => index + 1));
    for (const file of files) expect(file.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(files.map((file) => file.checksum)).size).toBe(files.length);
  });

  it('orders by number and ignores dot files', async () => {
    const dir = await folderWith({ '000002_b.sql': 'select 2;', '000001_a.sql': 'select 1;', '.DS_Store': 'x' });
    expect((await readMigrationFiles(dir)).map((file) => file.name)).toEqual(['000001_a', '000002_b']);
  });

  it('gives the same checksum for the same bytes and another for one changed byte', async () => {
    const dir = await folderWith({ '000001_a.sql': 'select 1;' });
    const other = await folderWith({ '000001_a.sql': 'select 1; ' });
    const [first] = await readMigrationFiles(dir);
    const [again] = await readMigrationFiles(dir);
    const [changed] = await readMigrationFiles(other);
    expect(again!.checksum).toBe(first!.checksum);
    expect(changed!.checksum).not.toBe(first!.checksum);
  });

  it.each([
    ['a file that is not a numbered .sql file', { '000001_a.sql': '', 'README.md': '' }, 'MIGRATION.BAD_FILE_NAME'],
    ['an upper-case slug', { '000001_Create.sql': '' }, 'MIGRATION.BAD_FILE_NAME'],
    ['a down migration', { '000001_a.sql': '', '000001_a.down.sql': '' }, 'MIGRATION.BAD_FILE_NAME'],
    ['a sub-folder', { '000001_a.sql': '', '000002_b/': '' }, 'MIGRATION.BAD_FILE_NAME'],
    ['a gap in the numbers', { '000001_a.sql': '', '000003_c.sql': '' }, 'MIGRATION.BAD_NUMBERING'],
    ['two files with one number', { '000001_a.sql': '', '000001_b.sql': '' }, 'MIGRATION.BAD_NUMBERING'],
    ['numbers not starting at 1', { '000002_b.sql': '' }, 'MIGRATION.BAD_NUMBERING'],
    ['a down section', { '000001_a.sql': '-- Up Migration\ncreate table a ();\n-- Down Migration\ndrop table a;\n' }, 'MIGRATION.DOWN_SECTION'],
    ['an empty folder', {}, 'MIGRATION.NONE'],
  ])('refuses %s', async (_case, files, code) => {
    expect(await codeOf(readMigrationFiles(await folderWith(files)))).toBe(code);
  });
});
