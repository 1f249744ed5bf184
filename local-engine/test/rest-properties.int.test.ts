/**
 * Property: whatever JSON (or near-JSON) a client posts to a search endpoint or to a user task's
 * completion, the REST API never answers 5xx, and every answer with a body is JSON. Bodies mix
 * arbitrary JSON values (control characters, lone surrogates), search-shaped requests with
 * arbitrary leaves, ~2000 levels of nesting, numbers beyond float range and malformed text.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definitions, flow } from './fixtures';
import { deploy, startHarness, type Harness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness('le_rest_props');
  await deploy(
    h,
    'rest_props',
    definitions(
      'rest_props',
      `<bpmn:startEvent id="start"/><bpmn:userTask id="review" name="Review"><bpmn:extensionElements><zeebe:userTask/></bpmn:extensionElements></bpmn:userTask><bpmn:endEvent id="end"/>${flow('f1', 'start', 'review')}${flow('f2', 'review', 'end')}`,
    ),
  );
  // Something for every search to find, sort and page through.
  for (let i = 0; i < 3; i++) await h.zeebe.createProcessInstance({ bpmnProcessId: 'rest_props', variables: { i, note: `n${i}` } });
});
afterAll(async () => {
  await h.close();
});

const json = fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' });
const hugeNumber = fc.constantFrom('1e999', '-1e999', '123456789012345678901234567890', '-0', '0.0000000000000000000000001', '9007199254740993', '1E+400');
const operator = fc.constantFrom('$eq', '$neq', '$in', '$notIn', '$exists', '$like', '$gt', '$gte', '$lt', '$lte', '$foo', '', '__proto__', 'constructor');
const field = fc.oneof(fc.constantFrom('state', 'name', 'processInstanceKey', 'userTaskKey', 'creationDate', 'priority', 'candidateGroup', '__proto__', 'toString'), fc.string({ unit: 'binary', maxLength: 8 }));
const filterValue = fc.oneof(json, fc.dictionary(operator, json, { maxKeys: 3 }));

/** A search request whose every part may be of the right shape or not. */
const searchShaped = fc
  .record(
    {
      filter: fc.oneof(json, fc.dictionary(field, filterValue, { maxKeys: 4 })),
      page: fc.oneof(json, fc.record({ from: json, limit: json, after: json, before: json }, { requiredKeys: [] }), fc.record({ from: fc.integer({ min: -2, max: 5 }), limit: fc.integer({ min: -2, max: 10_002 }) }, { requiredKeys: [] })),
      sort: fc.oneof(json, fc.array(fc.oneof(json, fc.record({ field: fc.oneof(field, json), order: fc.oneof(fc.constantFrom('ASC', 'DESC', 'asc', 'up'), json) }, { requiredKeys: [] })), { maxLength: 3 })),
      variables: json,
    },
    { requiredKeys: [] },
  )
  .map((value) => JSON.stringify(value));

/** ~2000 levels of arrays or objects, bare or inside a filter, a page or variables. */
const deep = fc.tuple(fc.integer({ min: 1_900, max: 2_100 }), fc.boolean(), fc.constantFrom('bare', 'filter', 'operator', 'page', 'variables')).map(([depth, arrays, place]) => {
  const nested = arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  return { bare: nested, filter: `{"filter":{"name":${nested}}}`, operator: `{"filter":{"name":{"$in":${nested}}}}`, page: `{"page":{"limit":${nested}}}`, variables: `{"variables":{"deep":${nested}}}` }[place];
});

/** Numbers JSON allows but doubles cannot hold, in the places a number is expected. */
const huge = fc.tuple(hugeNumber, fc.constantFrom('limit', 'from', 'filter', 'in', 'variable', 'bare')).map(([n, place]) =>
  ({ limit: `{"page":{"limit":${n}}}`, from: `{"page":{"from":${n}}}`, filter: `{"filter":{"priority":${n}}}`, in: `{"filter":{"priority":{"$in":[${n}]}}}`, variable: `{"variables":{"n":${n}}}`, bare: n })[place],
);

const body = fc.oneof(
  { weight: 3, arbitrary: json.map((value) => JSON.stringify(value)) },
  { weight: 4, arbitrary: searchShaped },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: huge },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

async function post(path: string, text: string) {
  const response = await fetch(`${h.engine.restAddress}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

/** Not 5xx; a body, when there is one, is JSON and says so. */
function expectSane(answer: { status: number; contentType: string; text: string }, sent: string) {
  const context = `${answer.status} ${answer.text.slice(0, 300)} for ${sent.slice(0, 200)}`;
  expect(answer.status, context).toBeLessThan(500);
  if (answer.status === 204) {
    expect(answer.text, context).toBe('');
    return;
  }
  expect(answer.contentType, context).toMatch(/^application\/(problem\+)?json/);
  expect(() => JSON.parse(answer.text) as unknown, context).not.toThrow();
}

async function openUserTaskKey(): Promise<string> {
  const created = await h.zeebe.createProcessInstance({ bpmnProcessId: 'rest_props', variables: {} });
  const found = await post('/v2/user-tasks/search', JSON.stringify({ filter: { processInstanceKey: created.processInstanceKey } }));
  return (JSON.parse(found.text) as { items: Array<{ userTaskKey: string }> }).items[0]!.userTaskKey;
}

describe('arbitrary bodies', () => {
  const searches = ['/v2/user-tasks/search', '/v2/process-instances/search', '/v2/element-instances/search', '/v2/incidents/search', '/v2/variables/search'];

  it.each(searches)('given any body, when posted to %s, then never 5xx and always JSON', async (path) => {
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        expectSane(await post(path, text), text);
      }),
      { numRuns: 150 },
    );
  });

  it("given any body, when posted to a user task's variable search, then never 5xx and always JSON", async () => {
    const key = await openUserTaskKey();
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        expectSane(await post(`/v2/user-tasks/${key}/variables/search`, text), text);
      }),
      { numRuns: 150 },
    );
  });

  it('given any body, when completing an open user task, then never 5xx and always JSON (or 204)', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const key = await openUserTaskKey();
        expectSane(await post(`/v2/user-tasks/${key}/completion`, text), text);
      }),
      { numRuns: 150 },
    );
  });
});
