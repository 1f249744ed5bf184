/**
 * Conformance: the REST API answers bad input as Camunda's does — an RFC 9457 problem document
 * (`application/problem+json`), never HTML, never a stack trace or a file path, never a 500.
 * Titles follow Camunda's gateway: the HTTP reason phrase ("Bad Request", "Not Found", ...) for
 * requests it cannot read or route, `INVALID_ARGUMENT` for values its validators refuse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow } from './fixtures';
import { deploy, startHarness, type Harness } from './harness';

let h: Harness;
let userTaskKey: string;

beforeAll(async () => {
  h = await startHarness('le_rest_errors');
  await deploy(
    h,
    'rest_errors',
    definitions('rest_errors', `<bpmn:startEvent id="start"/><bpmn:userTask id="review" name="Review"><bpmn:extensionElements><zeebe:userTask/></bpmn:extensionElements></bpmn:userTask><bpmn:endEvent id="end"/>${flow('f1', 'start', 'review')}${flow('f2', 'review', 'end')}`),
  );
  const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'rest_errors', variables: { orderId: 'e-1' } });
  const found = await call('POST', '/v2/user-tasks/search', JSON.stringify({ filter: { processInstanceKey: created.processInstanceKey } }));
  userTaskKey = (found.json as { items: Array<{ userTaskKey: string }> }).items[0]!.userTaskKey;
});
afterAll(async () => {
  await h.close();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function call(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> {
  const response = await fetch(`${h.engine.restAddress}${path}`, { method, headers: body === undefined ? {} : { 'content-type': contentType }, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Asserts an RFC 9457 problem document with no internals in it, and returns it. */
function expectProblem(answer: Answer, status: number, title: string, path: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.json).toMatchObject({ type: 'about:blank', title, status, instance: path });
  const problem = answer.json as { detail: unknown };
  expect(typeof problem.detail).toBe('string');
  expect(answer.text).not.toMatch(/\bat .+:\d+:\d+|node_modules|<html|<pre|\/work\/|[A-Za-z]:\\/i);
  expect(answer.text).not.toContain(process.cwd());
  return problem as { detail: string };
}

describe('bodies the server cannot read', () => {
  // Camunda's gateway (Spring) answers an unreadable body with 400 "Bad Request", detail "Failed to read request"
  it('given malformed JSON, when searching, then 400 Bad Request as problem+json', async () => {
    const answer = await call('POST', '/v2/user-tasks/search', '{"filter": {"state": ');
    expect(expectProblem(answer, 400, 'Bad Request', '/v2/user-tasks/search').detail).toMatch(/^Failed to read request/);
  });

  it('given malformed JSON, when completing a user task, then 400 Bad Request as problem+json', async () => {
    const answer = await call('POST', `/v2/user-tasks/${userTaskKey}/completion`, '{variables: }');
    expectProblem(answer, 400, 'Bad Request', `/v2/user-tasks/${userTaskKey}/completion`);
  });

  // Camunda's search and completion bodies are optional (@RequestBody(required = false)): a JSON
  // null reads as no body. The assignment's body is required.
  it('given a null body, when searching, then it answers as for no body', async () => {
    const answer = await call('POST', '/v2/incidents/search', 'null');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ items: [], page: { totalItems: 0 } });
  });

  it('given a null body, when assigning a user task, then 400 "Required request body is missing"', async () => {
    const answer = await call('POST', `/v2/user-tasks/${userTaskKey}/assignment`, 'null');
    expect(expectProblem(answer, 400, 'Bad Request', `/v2/user-tasks/${userTaskKey}/assignment`).detail).toBe('Required request body is missing');
  });

  it('given a 5 MB body, when searching, then 413 as problem+json', async () => {
    const big = JSON.stringify({ filter: { name: 'x'.repeat(5 * 1024 * 1024) } });
    const answer = await call('POST', '/v2/user-tasks/search', big);
    expect(expectProblem(answer, 413, 'Payload Too Large', '/v2/user-tasks/search').detail).toMatch(/4mb/);
  });

  it('given a path parameter that is not valid percent-encoding, then 400 as problem+json', async () => {
    const answer = await call('GET', '/v2/user-tasks/%E0%A4%A');
    expectProblem(answer, 400, 'Bad Request', '/v2/user-tasks/%E0%A4%A');
  });
});

describe('routes', () => {
  it('given an unknown route, then 404 Not Found as problem+json', async () => {
    expect(expectProblem(await call('GET', '/v2/no-such-thing'), 404, 'Not Found', '/v2/no-such-thing').detail).toBe('No endpoint GET /v2/no-such-thing.');
    expectProblem(await call('POST', '/nowhere', '{}'), 404, 'Not Found', '/nowhere');
  });

  it('given a known route and a wrong method, then 405 Method Not Allowed with an Allow header', async () => {
    const search = await call('GET', '/v2/user-tasks/search');
    expect(expectProblem(search, 405, 'Method Not Allowed', '/v2/user-tasks/search').detail).toBe("Method 'GET' is not supported.");
    expect(search.headers.get('allow')).toBe('POST');
    const task = await call('PUT', `/v2/user-tasks/${userTaskKey}`, '{}');
    expectProblem(task, 405, 'Method Not Allowed', `/v2/user-tasks/${userTaskKey}`);
    expect(task.headers.get('allow')).toBe('GET, HEAD');
    const assignee = await call('POST', `/v2/user-tasks/${userTaskKey}/assignee`, '{}');
    expect(assignee.status).toBe(405);
    expect(assignee.headers.get('allow')).toBe('DELETE');
  });

  it('given HEAD on a GET route, then it answers as GET without a body', async () => {
    const answer = await call('HEAD', `/v2/user-tasks/${userTaskKey}`);
    expect(answer.status).toBe(200);
  });
});

describe('search requests', () => {
  const endpoints = ['/v2/user-tasks/search', '/v2/process-instances/search', '/v2/element-instances/search', '/v2/incidents/search', '/v2/variables/search'];

  it.each(endpoints)('given an array body, when posting to %s, then 400 naming the body', async (path) => {
    const answer = await call('POST', path, '[]');
    expect(expectProblem(answer, 400, 'Bad Request', path).detail).toMatch(/request body/i);
  });

  it.each([
    [{ filter: { state: { $in: 5 } } }, 'filter.state.$in', 'Bad Request'],
    [{ sort: [null] }, 'sort[0]', 'Bad Request'],
    [{ filter: 'x' }, 'filter', 'Bad Request'],
    [{ page: { limit: 'abc' } }, 'page.limit', 'Bad Request'],
    [{ page: { limit: -1 } }, 'page.limit', 'INVALID_ARGUMENT'],
    [{ page: { limit: 0 } }, 'page.limit', 'INVALID_ARGUMENT'],
    [{ page: { limit: 10001 } }, 'page.limit', 'INVALID_ARGUMENT'],
    [{ page: { limit: 1.5 } }, 'page.limit', 'Bad Request'],
    [{ page: { from: -1 } }, 'page.from', 'INVALID_ARGUMENT'],
    [{ page: { after: 'a', before: 'b' } }, 'after', 'INVALID_ARGUMENT'],
    [{ page: { from: 0, after: 'a' } }, 'from', 'INVALID_ARGUMENT'],
    [{ page: 7 }, 'page', 'Bad Request'],
    [{ sort: { field: 'name' } }, 'sort', 'Bad Request'],
    [{ sort: [{ order: 'ASC' }] }, 'sort[0].field', 'Bad Request'],
    [{ sort: [{ field: 'name', order: 'UP' }] }, 'sort[0].order', 'INVALID_ARGUMENT'],
    [{ filter: { state: { $foo: 'CREATED' } } }, '$foo', 'INVALID_ARGUMENT'],
    [{ filter: { state: { $exists: 'yes' } } }, 'filter.state.$exists', 'Bad Request'],
    [{ filter: { state: { $eq: { nested: true } } } }, 'filter.state.$eq', 'Bad Request'],
    [{ filter: { state: ['CREATED'] } }, 'filter.state', 'Bad Request'],
  ])('given %j, when searching user tasks, then 400 naming %s', async (body, field, title) => {
    const answer = await call('POST', '/v2/user-tasks/search', JSON.stringify(body));
    expect(expectProblem(answer, 400, title, '/v2/user-tasks/search').detail).toContain(field);
  });

  it('given a user task variable search with a bad filter, then 400 naming the field', async () => {
    const path = `/v2/user-tasks/${userTaskKey}/variables/search`;
    const answer = await call('POST', path, JSON.stringify({ filter: { name: { $in: 'orderId' } } }));
    expect(expectProblem(answer, 400, 'Bad Request', path).detail).toContain('filter.name.$in');
  });

  it('given valid paging, sorting and operators, then 200 with the matching items', async () => {
    const answer = await call(
      'POST',
      '/v2/user-tasks/search',
      JSON.stringify({ filter: { userTaskKey: { $in: [userTaskKey] }, state: { $neq: 'COMPLETED', $exists: true } }, page: { from: 0, limit: 10_000 }, sort: [{ field: 'name', order: 'desc' }, { field: 'creationDate' }] }),
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ items: [{ userTaskKey, name: 'Review' }], page: { totalItems: 1 } });
  });

  it('given $like, $notIn and comparisons, then they filter instead of being ignored', async () => {
    const search = async (filter: unknown) => ((await call('POST', '/v2/user-tasks/search', JSON.stringify({ filter }))).json as { items: unknown[] }).items.length;
    expect(await search({ userTaskKey, name: { $like: 'Rev*' } })).toBe(1);
    expect(await search({ userTaskKey, name: { $like: 'Rev?' } })).toBe(0);
    expect(await search({ userTaskKey, state: { $notIn: ['CREATED'] } })).toBe(0);
    expect(await search({ userTaskKey, creationDate: { $gte: '2000-01-01T00:00:00.000Z', $lt: '2999-01-01T00:00:00.000Z' } })).toBe(1);
    expect(await search({ userTaskKey, creationDate: { $gt: '2999-01-01T00:00:00.000Z' } })).toBe(0);
  });

  it('given an unknown top-level property, then it is ignored as Camunda ignores unknown properties', async () => {
    const answer = await call('POST', '/v2/incidents/search', JSON.stringify({ filter: {}, something: 1 }));
    expect(answer.status).toBe(200);
  });
});

describe('user task commands', () => {
  it.each([
    ['[]', 'request body'],
    ['"x"', 'request body'],
    ['{"variables": "x"}', 'variables'],
    ['{"variables": [1]}', 'variables'],
  ])('given completion body %s, then 400 naming %s', async (body, field) => {
    const path = `/v2/user-tasks/${userTaskKey}/completion`;
    const answer = await call('POST', path, body);
    expect(expectProblem(answer, 400, 'Bad Request', path).detail.toLowerCase()).toContain(field);
  });

  it('given an assignment without an assignee, then 400 INVALID_ARGUMENT "No assignee provided"', async () => {
    const path = `/v2/user-tasks/${userTaskKey}/assignment`;
    expect(expectProblem(await call('POST', path, '{}'), 400, 'INVALID_ARGUMENT', path).detail).toMatch(/No assignee provided/);
    expect(expectProblem(await call('POST', path, '{"assignee": 5}'), 400, 'Bad Request', path).detail).toContain('assignee');
  });

  it('given an unknown user task, then 404 NOT_FOUND as problem+json', async () => {
    const path = '/v2/user-tasks/2251799813685000/completion';
    expectProblem(await call('POST', path, '{}'), 404, 'NOT_FOUND', path);
  });
});
