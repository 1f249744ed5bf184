import { describe, expect, it } from 'vitest';
import { parseVariableKey, searchValue, variableKeyOf, variableResult, variableSearchItems, variableSizeThreshold } from './variable-view';

const scope = { scopeKey: 2251799813685260, processInstanceKey: 2251799813685251, tenantId: '<default>' };

describe('searchValue', () => {
  it('given a value whose JSON text fits the threshold, then it is shown whole', () => {
    const text = 'b'.repeat(variableSizeThreshold - 2);
    expect(searchValue(text)).toEqual({ value: `"${text}"`, isTruncated: false });
  });

  it("given a longer JSON text, then the first 8191 characters are shown and isTruncated says so (Camunda's VariableIT)", () => {
    const text = 'b'.repeat(variableSizeThreshold + 1);
    expect(searchValue(text)).toEqual({ value: `"${text.slice(0, variableSizeThreshold - 1)}`, isTruncated: true });
  });
});

describe('variable keys', () => {
  it('given a scope and a position, then the key leads back to both, also past the 999th variable', () => {
    for (const index of [0, 7, 999, 1000, 12345]) expect(parseVariableKey(variableKeyOf(scope.scopeKey, index))).toEqual({ scopeKey: scope.scopeKey, index });
  });

  it('given text that is no key of ours, then nothing', () => {
    expect(parseVariableKey('12')).toBeUndefined();
    expect(parseVariableKey('2251799813685260abc')).toBeUndefined();
  });
});

describe('variable views', () => {
  const variables = { small: 1, big: 'x'.repeat(10_000) };

  it('given a scope, then one search item per variable, in order, keyed by position', () => {
    const items = variableSearchItems(scope, variables);
    expect(items.map((i) => [i.variableKey, i.name, i.isTruncated])).toEqual([
      ['2251799813685260000', 'small', false],
      ['2251799813685260001', 'big', true],
    ]);
    expect(items[0]).toMatchObject({ value: '1', scopeKey: '2251799813685260', processInstanceKey: '2251799813685251', tenantId: '<default>' });
  });

  it('given a key, then the whole value; given a position the scope lacks, then nothing', () => {
    expect(variableResult(scope, variables, 1)).toMatchObject({ name: 'big', value: JSON.stringify(variables.big) });
    expect(variableResult(scope, variables, 1)).not.toHaveProperty('isTruncated');
    expect(variableResult(scope, variables, 2)).toBeUndefined();
  });
});
