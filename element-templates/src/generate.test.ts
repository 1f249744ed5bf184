import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobContracts } from '../../connector-runtime/src/jobs/index';
import { generateTemplates, lintCatalogPath, templatesDir } from './generate';

const workDir = mkdtempSync(join(tmpdir(), 'fp-templates-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
}

describe('gen:templates', () => {
  // Given the committed tree, when regenerating into a temporary folder, then nothing differs:
  // `npm run gen:templates` on a fresh clone leaves git clean.
  const targetDir = join(workDir, 'regenerated');
  const catalogPath = join(workDir, 'fulfillment-catalog.json');
  const templates = generateTemplates({ sourceDir: templatesDir, targetDir, catalogPath });

  it('writes exactly the committed generated files, byte for byte', () => {
    const committed = jsonFiles(join(templatesDir, 'generated'));
    expect(jsonFiles(join(targetDir, 'generated'))).toEqual(committed);
    for (const file of committed) {
      expect(readFileSync(join(targetDir, 'generated', file), 'utf8'), file).toBe(
        readFileSync(join(templatesDir, 'generated', file), 'utf8'),
      );
    }
  });

  it('keeps the committed version record', () => {
    expect(readFileSync(join(targetDir, 'versions.json'), 'utf8')).toBe(readFileSync(join(templatesDir, 'versions.json'), 'utf8'));
  });

  it('writes the same lint catalog the plugin has committed', () => {
    expect(readFileSync(catalogPath, 'utf8')).toBe(readFileSync(lintCatalogPath, 'utf8'));
  });

  it('has a service-task template for every registered job type, running that job type', () => {
    for (const contract of jobContracts) {
      const template = templates.find((candidate) => candidate.id === contract.template.id);
      expect(template, contract.type).toBeDefined();
      const typeProperty = template?.properties.find(
        (property) => property.binding.type === 'zeebe:taskDefinition' && property.binding.property === 'type',
      );
      expect(typeProperty).toMatchObject({ type: 'Hidden', value: contract.type });
      expect(template?.elementType).toEqual({ value: 'bpmn:ServiceTask' });
    }
  });

  it('gives every template a unique id and an integer version of at least 1', () => {
    const ids = templates.map((template) => template.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const template of templates) {
      expect(Number.isInteger(template.version) && template.version >= 1, template.id).toBe(true);
    }
  });
});
