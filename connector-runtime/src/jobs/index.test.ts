import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findJobContract, jobContracts, jobTypes } from './index';

// DESIGN §3: the seed's ten worker names (§23) plus apply-manual-decision.
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

type JsonSchema = { type?: string; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[] };

describe('job registry', () => {
  it('registers exactly the job types of DESIGN §3, once each', () => {
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
    'given %s, then its output variables are control state only: scalars or lists of ids (seed §5)',
    (_type, contract) => {
      const json = z.toJSONSchema(contract.output) as JsonSchema;
      const scalar = (schema: JsonSchema | undefined): boolean =>
        schema !== undefined &&
        (schema.anyOf ? schema.anyOf.every(scalar) : ['string', 'boolean', 'number', 'integer', 'null'].includes(schema.type ?? ''));
      for (const [key, property] of Object.entries(json.properties ?? {})) {
        const ok = scalar(property) || (property.type === 'array' && scalar(property.items));
        expect(ok, `${key} is not small control state`).toBe(true);
      }
    },
  );

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
