import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configKeys, loadConfig, settings } from './config';
import { ValidationError } from './errors';

describe('loadConfig', () => {
  it('given an empty environment, when parsed, then every default applies', () => {
    const config = loadConfig({});
    expect(config.HTTP_PORT).toBe(3000);
    expect(config.EMBEDDED_PG_PORT).toBe(5433);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.KAFKA_BROKERS).toBeUndefined();
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('given broker and database settings, when parsed, then they are typed', () => {
    const config = loadConfig({
      KAFKA_BROKERS: ' 127.0.0.1:19092, 127.0.0.1:19093 ',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/oms',
      HTTP_PORT: '8081',
    });
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:19092', '127.0.0.1:19093']);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/oms');
    expect(config.HTTP_PORT).toBe(8081);
  });

  it('given several bad values, when parsed, then one error names each of them', () => {
    let caught: unknown;
    try {
      loadConfig({ HTTP_PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'not a url' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const paths = (caught as ValidationError).issues.map((i) => i.path).sort();
    expect(paths).toEqual(['DATABASE_URL', 'HTTP_PORT', 'LOG_LEVEL']);
  });

  it('documents every setting in the README configuration table, and nothing else', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
    const rows = [...section.matchAll(/^\| `([A-Z0-9_]+)` \| (.*?) \| (.*?) \|$/gm)].map((m) => ({
      key: m[1],
      defaultDoc: m[2],
      doc: m[3],
    }));
    expect(rows.map((r) => r.key)).toEqual(configKeys);
    for (const row of rows) {
      const setting = settings[row.key as keyof typeof settings] as { doc: string; defaultDoc?: string };
      expect(row.doc, row.key).toBe(setting.doc);
      expect(row.defaultDoc, row.key).toBe(setting.defaultDoc ?? '—');
    }
  });
});
