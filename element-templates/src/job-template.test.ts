import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { applyManualDecisionContract } from '../../connector-runtime/src/jobs/apply-manual-decision/schema';
import { openFulfillmentFalloutContract } from '../../connector-runtime/src/jobs/open-fulfillment-fallout/schema';
import { defineJobContract } from '../../connector-runtime/src/jobs/job-contract';
import { loadFulfillmentPlanContract } from '../../connector-runtime/src/jobs/load-fulfillment-plan/schema';
import { buildJobTemplate, headerSwitchId } from './job-template';

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

  it('given an optional enum header, then it is a "Set" checkbox, off by default, and a dropdown of real choices shown only when ticked', () => {
    const fallout = buildJobTemplate(openFulfillmentFalloutContract);
    const toggle = fallout.properties.find((candidate) => candidate.id === headerSwitchId('severity'));
    const header = fallout.properties.find((candidate) => candidate.id === 'header.severity');
    expect(toggle).toMatchObject({ type: 'Boolean', value: false, label: 'Set severity', group: 'policy', binding: { type: 'zeebe:property' } });
    expect(header).toMatchObject({ type: 'Dropdown', value: 'LOW', binding: { type: 'zeebe:taskHeader', key: 'severity' } });
    expect(header).not.toHaveProperty('optional');
    expect(header?.condition).toEqual({ property: headerSwitchId('severity'), equals: true });
    expect(header?.choices?.map((choice) => choice.value)).toEqual(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
  });

  it('given the phase header of a block used both in phases and at plan level, then the plan level need not show it', () => {
    const phase = buildJobTemplate(loadFulfillmentPlanContract).properties.find((candidate) => candidate.id === 'header.phase');
    expect(phase?.condition).toEqual({ property: headerSwitchId('phase'), equals: true });
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
