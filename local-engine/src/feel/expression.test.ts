import { describe, expect, it } from 'vitest';
import { ExpressionError, evaluateCondition, evaluateString, evaluateValue, isExpression, toJsonValue } from './expression';

describe('Zeebe expressions', () => {
  it('treats =-prefixed values as FEEL and others as static strings', () => {
    expect(isExpression('=a')).toBe(true);
    expect(isExpression('a')).toBe(false);
    expect(evaluateValue('=a + 1', { a: 2 })).toBe(3);
    expect(evaluateValue('a + 1', { a: 2 })).toBe('a + 1');
  });

  it('turns FEEL temporal values and contexts into plain JSON', () => {
    expect(evaluateValue('=duration("PT5M")', {})).toBe('PT5M');
    expect(evaluateValue('={ a: [1, date("2026-01-02")] }', {})).toEqual({ a: [1, '2026-01-02'] });
    expect(toJsonValue(undefined)).toBeNull();
  });

  it('evaluates a missing variable to null, as FEEL does', () => {
    expect(evaluateValue('=missing', {})).toBeNull();
  });

  it('requires strings where Zeebe requires them, accepting numbers for correlation keys', () => {
    expect(evaluateString('=id', { id: 'x' }, 'job type')).toBe('x');
    expect(evaluateString('=id', { id: 7 }, 'correlation key')).toBe('7');
    expect(() => evaluateString('=id', { id: 7 }, 'job type')).toThrow(ExpressionError);
  });

  it('requires booleans for conditions', () => {
    expect(evaluateCondition('=amount > 3', { amount: 5 })).toBe(true);
    expect(() => evaluateCondition('=amount', { amount: 5 })).toThrow(/boolean/);
  });

  it('raises ExpressionError for failed function calls', () => {
    expect(() => evaluateValue('=unknownFunction(1)', {})).toThrow(ExpressionError);
  });
});
