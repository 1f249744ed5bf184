import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findJobContract, jobContracts, jobTypes } from './index';
import { manualTaskViewMaxCharacters, manualTaskViewVariable } from './manual-task-view';

// docs/architecture.md §3: the seed's ten worker names (§23) plus apply-manual-decision.
const expectedJobTypes = [
  'load-fulfillment-plan',
  'execute-fulfillment-task',
  'submit-external-task-request',
  'apply-external-task-result',
  'apply-fulfillment-timeout',
  'open-fulfillment-fallout',
  'start-compensation',
  'execute-compensation-task',
  'apply-installed-base-impact',
  'finalize-order-fulfillment',
  'apply-manual-decision',
];

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: string[];
  maxLength?: number;
  maxItems?: number;
};

/** Most characters of text a variable of this schema can hold; infinite when anything is unbounded. */
function boundedCharacters(schema: JsonSchema): number {
  if (schema.anyOf) return Math.max(...schema.anyOf.map(boundedCharacters));
  if (schema.enum) return Math.max(...schema.enum.map((value) => value.length));
  if (schema.type === 'null' || schema.type === 'boolean') return 0;
  if (schema.type === 'string') return schema.maxLength ?? Number.POSITIVE_INFINITY;
  if (schema.type === 'array') return schema.items && schema.maxItems !== undefined ? schema.maxItems * boundedCharacters(schema.items) : Number.POSITIVE_INFINITY;
  if (schema.type === 'object') return Object.values(schema.properties ?? {}).reduce((sum, property) => sum + boundedCharacters(property), 0);
  return Number.POSITIVE_INFINITY;
}

describe('job registry', () => {
  it('registers exactly the job types of docs/architecture.md §3, once each', () => {
    expect([...jobTypes].sort()).toEqual([...expectedJobTypes].sort());
  });

  it('gives each job its own template id', () => {
    const ids = jobContracts.map((contract) => contract.template.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('finds a contract by job type and nothing for an unknown one', () => {
    expect(findJobContract('finalize-order-fulfillment')?.type).toBe('finalize-order-fulfillment');
    expect(findJobContract('execute-task')).toBeUndefined();
  });

  it.each(jobContracts.map((contract) => [contract.type, contract] as const))(
    'given %s, when converted with z.toJSONSchema, then input, headers and output describe every field',
    (_type, contract) => {
      for (const [side, schema] of [
        ['input', contract.input],
        ['headers', contract.headers],
        ['output', contract.output],
      ] as const) {
        const json = z.toJSONSchema(schema) as JsonSchema;
        expect(json.type, side).toBe('object');
        expect(Object.keys(json.properties ?? {}), side).toEqual(Object.keys(schema.shape));
      }
      expect(Object.keys(contract.input.shape).length).toBeGreaterThan(0);
      expect(Object.keys(contract.output.shape).length).toBeGreaterThan(0);
    },
  );

  it.each(jobContracts.map((contract) => [contract.type, contract] as const))(
    'given %s, then its output variables are control state only: scalars or lists of ids (seed §5), or the bounded manual-task view',
    (_type, contract) => {
      const json = z.toJSONSchema(contract.output) as JsonSchema;
      const scalar = (schema: JsonSchema | undefined): boolean =>
        schema !== undefined &&
        (schema.anyOf ? schema.anyOf.every(scalar) : ['string', 'boolean', 'number', 'integer', 'null'].includes(schema.type ?? ''));
      for (const [key, property] of Object.entries(json.properties ?? {})) {
        // docs/decisions/0002: the one object a job may return is the form's view, and only with a size bound.
        if (key === manualTaskViewVariable) {
          expect(boundedCharacters(property), `${key} must be bounded`).toBeLessThanOrEqual(manualTaskViewMaxCharacters);
          continue;
        }
        const ok = scalar(property) || (property.type === 'array' && scalar(property.items));
        expect(ok, `${key} is not small control state`).toBe(true);
      }
    },
  );

  it('given a view with an unbounded text, then the bound check refuses it (the check above can fail)', () => {
    const unbounded = z.object({ note: z.string() });
    expect(boundedCharacters(z.toJSONSchema(unbounded) as JsonSchema)).toBe(Number.POSITIVE_INFINITY);
    const bounded = z.object({ note: z.string().max(10), actions: z.array(z.enum(['A', 'BB'])).max(2) });
    expect(boundedCharacters(z.toJSONSchema(bounded) as JsonSchema)).toBe(14);
  });

  it.each(jobContracts.map((contract) => [contract.type, contract] as const))(
    'given %s, then every field carries template metadata of its own binding kind',
    (_type, contract) => {
      for (const [binding, schema] of [
        ['input', contract.input],
        ['header', contract.headers],
        ['output', contract.output],
      ] as const) {
        for (const [key, field] of Object.entries(schema.shape)) {
          const json = z.toJSONSchema(field as z.ZodType) as { template?: { binding?: string; label?: string } };
          expect(json.template?.binding, `${contract.type}.${key}`).toBe(binding);
          expect(json.template?.label, `${contract.type}.${key}`).toBeTruthy();
        }
      }
    },
  );
});
