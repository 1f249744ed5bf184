import { describe, expect, it } from 'vitest';
import { HttpProblem } from './problem';
import { maxPageLimit, parseAssignmentRequest, parseCompletionRequest, parseSearchRequest } from './request-bodies';

function refusal(parse: () => unknown): { status: number; title: string; detail: string } {
  try {
    parse();
  } catch (error) {
    if (error instanceof HttpProblem) return { status: error.status, title: error.title, detail: error.detail };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('parseSearchRequest', () => {
  it('given no body, null or {}, then no filter, no sort, the first 100 items', () => {
    const defaults = { filter: {}, from: 0, limit: 100, sort: [] };
    expect(parseSearchRequest(undefined)).toEqual(defaults);
    expect(parseSearchRequest(null)).toEqual(defaults);
    expect(parseSearchRequest({ filter: null, page: null, sort: null })).toEqual(defaults);
  });

  it('given paging and sorting, then they are read with the order upper-cased and ASC by default', () => {
    expect(parseSearchRequest({ page: { from: 5, limit: maxPageLimit }, sort: [{ field: 'name', order: 'desc' }, { field: 'k' }] })).toEqual({
      filter: {},
      from: 5,
      limit: maxPageLimit,
      sort: [
        { field: 'name', order: 'DESC' },
        { field: 'k', order: 'ASC' },
      ],
    });
  });

  it.each([
    [[], 'Bad Request', 'The request body cannot be parsed: expected object, got array.'],
    [{ filter: 'x' }, 'Bad Request', 'Request property [filter] cannot be parsed: expected object, got string.'],
    [{ filter: { state: { $in: 5 } } }, 'Bad Request', 'Request property [filter.state.$in] cannot be parsed: expected array, got number.'],
    [{ filter: { state: [1] } }, 'Bad Request', 'Request property [filter.state] cannot be parsed: expected a string, number, boolean or an object of operators, got array.'],
    [{ filter: { state: { $in: [{}] } } }, 'Bad Request', 'Request property [filter.state.$in[0]] cannot be parsed: expected a string, number or boolean, got object.'],
    [{ filter: { state: { $foo: 1 } } }, 'INVALID_ARGUMENT', "Unknown operator '$foo' in filter.state; use one of $eq, $neq, $exists, $in, $notIn, $like, $gt, $gte, $lt, $lte."],
    [{ sort: [null] }, 'Bad Request', 'Request property [sort[0]] cannot be parsed: expected object, got null.'],
    [{ sort: [{ field: 'name', order: 'UP' }] }, 'INVALID_ARGUMENT', "The value for sort[0].order is 'UP' but must be one of ASC, DESC."],
    [{ page: { limit: -1 } }, 'INVALID_ARGUMENT', "The value for page.limit is '-1' but must be >= 1."],
    [{ page: { limit: 10_001 } }, 'INVALID_ARGUMENT', "The value for page.limit is '10001' but must be <= 10000."],
    [{ page: { limit: 'abc' } }, 'Bad Request', 'Request property [page.limit] cannot be parsed: expected number, got string.'],
    [{ page: { limit: 1.5 } }, 'Bad Request', 'Request property [page.limit] cannot be parsed: expected an integer, got 1.5.'],
    [{ page: { after: 'a', before: 'b' } }, 'INVALID_ARGUMENT', 'Both after and before cannot be set at the same time (page).'],
  ])('given %j, then 400 %s: %s', (body, title, detail) => {
    expect(refusal(() => parseSearchRequest(body))).toEqual({ status: 400, title, detail });
  });
});

describe('parseCompletionRequest', () => {
  it('given no body, null or no variables, then no variables', () => {
    expect(parseCompletionRequest(undefined)).toEqual({});
    expect(parseCompletionRequest(null)).toEqual({});
    expect(parseCompletionRequest({ variables: null })).toEqual({});
  });

  it('given variables, then they are passed on as sent, a variable named __proto__ included', () => {
    const body = JSON.parse('{"variables":{"__proto__":{"x":1},"ok":true}}') as { variables: Record<string, unknown> };
    expect(parseCompletionRequest(body)).toBe(body.variables);
  });

  it('given variables that are not an object, then 400 naming them', () => {
    expect(refusal(() => parseCompletionRequest({ variables: [1] })).detail).toBe('Request property [variables] cannot be parsed: expected object, got array.');
  });
});

describe('parseAssignmentRequest', () => {
  it('given no body, then 400 "Required request body is missing", as the body is required', () => {
    expect(refusal(() => parseAssignmentRequest(null))).toEqual({ status: 400, title: 'Bad Request', detail: 'Required request body is missing' });
  });

  it('given an assignee, then override is allowed unless refused', () => {
    expect(parseAssignmentRequest({ assignee: 'tech-1' })).toEqual({ assignee: 'tech-1', allowOverride: true });
    expect(parseAssignmentRequest({ assignee: 'tech-1', allowOverride: false })).toEqual({ assignee: 'tech-1', allowOverride: false });
  });
});
