import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { SchemaCollector } from './json-schemas';

describe('zod schemas as OpenAPI schemas', () => {
  it('given two schemas holding any JSON value, when converted, then the recursive definition is one JsonValue component', () => {
    const schemas = new SchemaCollector();
    const a = schemas.inline(z.object({ result: z.record(z.string(), z.json()) }), 'input', 'A');
    const b = schemas.inline(z.object({ data: z.json() }), 'input', 'B');
    expect(JSON.stringify([a, b])).not.toContain('$defs');
    expect(Object.keys(schemas.components())).toEqual(['JsonValue']);
    expect(JSON.stringify(schemas.components()['JsonValue'])).toContain('"$ref":"#/components/schemas/JsonValue"');
  });

  it('given a field with element-template metadata, then the metadata is dropped and its label is the title', () => {
    const schema = z.object({ orderId: z.uuid().describe('The order.').meta({ template: { binding: 'input', label: 'Order id', group: 'context' } }) });
    const json = new SchemaCollector().inline(schema, 'input', 'X') as { properties: Record<string, Record<string, unknown>> };
    expect(json.properties['orderId']).toMatchObject({ type: 'string', format: 'uuid', title: 'Order id', description: 'The order.' });
    expect(json.properties['orderId']).not.toHaveProperty('template');
  });

  it('given a default, then the input side makes the field optional and the output side required', () => {
    const schema = z.object({ limit: z.number().default(50) });
    const schemas = new SchemaCollector();
    expect(schemas.inline(schema, 'input', 'Q')['required']).toBeUndefined();
    expect(schemas.inline(schema, 'output', 'Q')['required']).toEqual(['limit']);
  });

  it('given one component name for two different schemas, then the build fails', () => {
    const schemas = new SchemaCollector();
    schemas.component('Thing', z.object({ a: z.string() }), 'input');
    expect(() => schemas.component('Thing', z.object({ b: z.string() }), 'input')).toThrow(/two different schemas/);
  });
});
