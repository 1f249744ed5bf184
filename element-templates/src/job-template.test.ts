import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { applyManualDecisionContract } from '../../connector-runtime/src/jobs/apply-manual-decision/schema';
import { openFulfillmentFalloutContract } from '../../connector-runtime/src/jobs/open-fulfillment-fallout/schema';
import { defineJobContract } from '../../connector-runtime/src/jobs/job-contract';
import { buildJobTemplate } from './job-template';

const info = { id: 'x', name: 'X', description: 'X', retries: 3, compensatable: false };

describe('buildJobTemplate', () => {
  const template = buildJobTemplate(applyManualDecisionContract);
  const property = (id: string) => template.properties.find((candidate) => candidate.id === id);

  it('fixes the job type as hidden and offers retries as an editable string', () => {
    expect(template.properties[0]).toEqual({
      type: 'Hidden',
      value: 'apply-manual-decision',
      binding: { type: 'zeebe:taskDefinition', property: 'type' },
    });
    expect(property('job.retries')).toMatchObject({ type: 'String', value: '3', binding: { property: 'retries' } });
  });

  it('hides the order context ids and maps them from the same-named variables', () => {
    expect(property('input.tenantId')).toMatchObject({ type: 'Hidden', value: '=tenantId', binding: { type: 'zeebe:input', name: 'tenantId' } });
  });

  it('makes the form fields FEEL inputs, required ones not empty', () => {
    expect(property('input.decision')).toMatchObject({ type: 'String', feel: 'required', value: '=decision', constraints: { notEmpty: true } });
    expect(property('input.evidenceReference')).not.toHaveProperty('constraints');
  });

  it('maps each output from its job variable to an editable target variable', () => {
    expect(property('output.currentTaskResult')).toMatchObject({
      type: 'String',
      value: 'currentTaskResult',
      binding: { type: 'zeebe:output', source: '=currentTaskResult' },
    });
  });

  it('turns optional enum headers into optional dropdowns with an empty choice', () => {
    const fallout = buildJobTemplate(openFulfillmentFalloutContract);
    const header = fallout.properties.find((candidate) => candidate.id === 'header.severity');
    expect(header).toMatchObject({ type: 'Dropdown', value: '', optional: true, binding: { type: 'zeebe:taskHeader', key: 'severity' } });
    expect(header?.choices?.map((choice) => choice.value)).toEqual(['', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
  });

  it('only lists the groups its properties use', () => {
    const used = new Set(template.properties.map((candidate) => candidate.group).filter(Boolean));
    expect(template.groups.map((group) => group.id).sort()).toEqual([...used].sort());
  });

  it('refuses a field whose metadata names another binding kind', () => {
    const contract = defineJobContract({
      type: 'bad-binding',
      input: z.object({ a: z.string().meta({ template: { binding: 'output', label: 'A', group: 'task' } }) }),
      headers: z.object({}),
      output: z.object({}),
      template: info,
    });
    expect(() => buildJobTemplate(contract)).toThrow(/declared as output but sits in the input schema/);
  });

  it('refuses a field without template metadata', () => {
    const contract = defineJobContract({
      type: 'no-meta',
      input: z.object({ a: z.string() }),
      headers: z.object({}),
      output: z.object({}),
      template: info,
    });
    expect(() => buildJobTemplate(contract)).toThrow(/"a" has no template metadata/);
  });

  it('carries a field condition into the template', () => {
    const contract = defineJobContract({
      type: 'conditional',
      input: z.object({}),
      headers: z.object({
        mode: z.enum(['a', 'b']).meta({ template: { binding: 'header', label: 'Mode', group: 'policy' } }),
        detail: z.string().meta({
          template: { binding: 'header', label: 'Detail', group: 'policy', condition: { property: 'header.mode', equals: 'b' } },
        }),
      }),
      output: z.object({}),
      template: info,
    });
    const detail = buildJobTemplate(contract).properties.find((candidate) => candidate.id === 'header.detail');
    expect(detail?.condition).toEqual({ property: 'header.mode', equals: 'b' });
  });
});
