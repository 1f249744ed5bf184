import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateTemplates, templatesDir } from './generate';
import { assignVersions, contentHash, serializeTemplate } from './template-versions';
import type { TemplateVersionRecord } from './template-versions';
import type { UnversionedTemplate } from './template-types';

const template = (description: string): UnversionedTemplate => ({
  $schema: 'schema',
  name: 'Example',
  id: 'example',
  description,
  engines: { camunda: '^8.8' },
  category: { id: 'c', name: 'C' },
  appliesTo: ['bpmn:Task'],
  elementType: { value: 'bpmn:ServiceTask' },
  groups: [],
  properties: [{ type: 'Hidden', value: 'job', binding: { type: 'zeebe:taskDefinition', property: 'type' } }],
});

describe('assignVersions', () => {
  it('given a new template, then it starts at version 1', () => {
    const { templates, record } = assignVersions([template('a')], {}, new Map());
    expect(templates[0]?.template.version).toBe(1);
    expect(record.example).toEqual({ version: 1, contentHash: contentHash(template('a')) });
  });

  it('given unchanged content, then the version stays and nothing is retired', () => {
    const record: TemplateVersionRecord = { example: { version: 4, contentHash: contentHash(template('a')) } };
    const { templates } = assignVersions([template('a')], record, new Map([['example', 'old text']]));
    expect(templates[0]?.template.version).toBe(4);
    expect(templates[0]?.retired).toBeUndefined();
  });

  it('given changed content, then the version goes up by one and the previous file is retired', () => {
    const record: TemplateVersionRecord = { example: { version: 4, contentHash: contentHash(template('a')) } };
    const { templates, record: next } = assignVersions([template('b')], record, new Map([['example', 'old text']]));
    expect(templates[0]?.template.version).toBe(5);
    expect(templates[0]?.retired).toEqual({ version: 4, file: 'old text' });
    expect(next.example?.version).toBe(5);
  });

  it('writes the version right after the description and ends files with a newline', () => {
    const { templates } = assignVersions([template('a')], {}, new Map());
    const text = serializeTemplate(templates[0]!.template);
    expect(Object.keys(JSON.parse(text)).slice(0, 5)).toEqual(['$schema', 'name', 'id', 'description', 'version']);
    expect(text.endsWith('}\n')).toBe(true);
  });
});

describe('generateTemplates versioning on disk', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'fp-versions-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('given a template whose recorded hash differs, when generating, then it bumps and keeps the old file in versioned/', () => {
    cpSync(join(templatesDir, 'generated'), join(workDir, 'generated'), { recursive: true });
    const record = JSON.parse(readFileSync(join(templatesDir, 'versions.json'), 'utf8')) as TemplateVersionRecord;
    const id = 'fulfillment-pack.apply-manual-decision';
    const before = record[id]!;
    // Simulates "the content changed since the committed version" without editing a real schema.
    record[id] = { version: before.version, contentHash: 'stale' };
    writeFileSync(join(workDir, 'versions.json'), JSON.stringify(record));
    const previousText = readFileSync(join(workDir, 'generated', `${id}.json`), 'utf8');

    const written = generateTemplates({ sourceDir: workDir, targetDir: workDir, catalogPath: join(workDir, 'catalog.json') });

    expect(written.find((t) => t.id === id)?.version).toBe(before.version + 1);
    const retiredPath = join(workDir, 'versioned', `${id}-${before.version}.json`);
    expect(existsSync(retiredPath)).toBe(true);
    expect(readFileSync(retiredPath, 'utf8')).toBe(previousText);
    const catalog = JSON.parse(readFileSync(join(workDir, 'catalog.json'), 'utf8')) as { templateVersions: Record<string, number> };
    expect(catalog.templateVersions[id]).toBe(before.version + 1);
  });
});
