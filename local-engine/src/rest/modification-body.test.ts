import { describe, expect, it } from 'vitest';
import { parseModification } from './modification-body';

// Shapes of the Orchestration Cluster API 8.8 `ProcessInstanceModificationInstruction`
// (docs.camunda.io/docs/8.8/apis-tools/orchestration-cluster-api-rest/specifications/modify-process-instance/).
describe('parseModification', () => {
  it('reads keys as strings or numbers, -1 as no ancestor, an absent scopeId as the process instance', () => {
    expect(
      parseModification(7, {
        activateInstructions: [
          { elementId: 'B', ancestorElementInstanceKey: '-1', variableInstructions: [{ variables: { a: 1 } }] },
          { elementId: 'C', ancestorElementInstanceKey: '2251799813685249', variableInstructions: [{ variables: { b: 2 }, scopeId: 'sub' }] },
          { elementId: 'D' },
        ],
        terminateInstructions: [{ elementInstanceKey: 2251799813685250 }],
        operationReference: 5,
      }),
    ).toEqual({
      processInstanceKey: 7,
      activateInstructions: [
        { elementId: 'B', variableInstructions: [{ variables: { a: 1 }, scopeId: '' }] },
        { elementId: 'C', ancestorElementInstanceKey: 2251799813685249, variableInstructions: [{ variables: { b: 2 }, scopeId: 'sub' }] },
        { elementId: 'D', variableInstructions: [] },
      ],
      terminateInstructions: [{ elementInstanceKey: 2251799813685250 }],
    });
  });

  it('hands variables on as sent, a variable named __proto__ included', () => {
    const body = JSON.parse('{"activateInstructions":[{"elementId":"B","variableInstructions":[{"variables":{"__proto__":{"x":1}}}]}]}') as unknown;
    const [activation] = parseModification(1, body).activateInstructions;
    expect(Object.hasOwn(activation!.variableInstructions[0]!.variables, '__proto__')).toBe(true);
  });

  it.each([
    [{ activateInstructions: [{ variableInstructions: [] }] }, 'No elementId provided.'],
    [{ terminateInstructions: [{}] }, 'No elementInstanceKey provided.'],
    [{ terminateInstructions: [{ elementInstanceKey: '-1' }] }, "The value for elementInstanceKey is '-1' but must be a positive key."],
    [{ activateInstructions: [{ elementId: 'B', ancestorElementInstanceKey: 'abc' }] }, "The value for ancestorElementInstanceKey is 'abc' but must be -1 or a positive key."],
  ])('refuses %j with 400 INVALID_ARGUMENT', (body, detail) => {
    expect(() => parseModification(1, body)).toThrow(expect.objectContaining({ status: 400, title: 'INVALID_ARGUMENT', detail }));
  });

  it('refuses a missing body', () => {
    expect(() => parseModification(1, undefined)).toThrow(expect.objectContaining({ status: 400 }));
  });
});
