import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { templatesDir } from './generate';
import { elementTemplateSchemaUrl } from './template-types';

const require = createRequire(import.meta.url);
const officialSchema = require('@camunda/zeebe-element-templates-json-schema/resources/schema.json') as object;
// ajv-formats is CommonJS with a default export; under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

// The official schema uses its own annotation keywords (deprecated, errorMessage...), hence strict off.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(officialSchema);

// The schema marks constructs that still validate but are on their way out (e.g. 'optional' on a
// zeebe:input for 8.8) with `deprecated: true`; this second validator turns those marks into failures.
const strictAjv = new Ajv({ strict: false, allErrors: true });
addFormats(strictAjv);
strictAjv.removeKeyword('deprecated');
strictAjv.addKeyword({ keyword: 'deprecated', schemaType: 'boolean', validate: (deprecated: boolean) => !deprecated });
const validateWithoutDeprecations = strictAjv.compile(officialSchema);

const generatedDir = join(templatesDir, 'generated');
const files = readdirSync(generatedDir).filter((name) => name.endsWith('.json')).sort();
const read = (file: string) => JSON.parse(readFileSync(join(generatedDir, file), 'utf8')) as Record<string, unknown>;

describe('generated element templates against @camunda/zeebe-element-templates-json-schema', () => {
  it('has templates to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(16);
  });

  it.each(files)('given %s, when validated with ajv, then the official schema accepts it', (file) => {
    const valid = validate(read(file));
    expect(validate.errors ?? [], file).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each(files)('given %s, when validated, then it uses no construct the schema marks deprecated', (file) => {
    const valid = validateWithoutDeprecations(read(file));
    expect(validateWithoutDeprecations.errors ?? [], file).toEqual([]);
    expect(valid).toBe(true);
  });

  it('given a FEEL input without the leading "=", when validated strictly, then the deprecation check refuses it', () => {
    const template = read('fulfillment-pack.apply-manual-decision.json');
    const properties = template.properties as { id?: string; value?: string }[];
    const decision = properties.find((property) => property.id === 'input.decision');
    if (!decision) throw new Error('input.decision missing');
    decision.value = 'decision';
    expect(validate(template)).toBe(true);
    expect(validateWithoutDeprecations(template)).toBe(false);
  });

  it.each(files)('given %s, then it declares the schema, Camunda 8.8 and non-empty properties', (file) => {
    const template = read(file);
    expect(template.$schema).toBe(elementTemplateSchemaUrl);
    expect(template.engines).toEqual({ camunda: '^8.8' });
    expect(Array.isArray(template.properties) && template.properties.length > 0).toBe(true);
  });

  it('given a template with a broken binding, when validated, then the schema refuses it', () => {
    // Proves the validator is not vacuous: the same schema must reject a wrong template.
    const broken = read(files[0] as string);
    broken.properties = [{ type: 'Hidden', value: 'x', binding: { type: 'zeebe:taskDefinition', property: 'nonsense' } }];
    expect(validate(broken)).toBe(false);
  });
});
