/**
 * The broadband bundle order decomposes into exactly the plan recorded in
 * `fixtures/broadband-bundle.plan.json` (full plan) and `fixtures/broadband-bundle.plan.txt`
 * (the same plan as a table for reviewers). A change to the catalog or to decomposition that alters
 * the plan fails here until the fixtures are regenerated on purpose and the diff reviewed:
 *
 *   UPDATE_FIXTURES=1 npx vitest run connector-runtime/src/domain/decomposition.fixture.test.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultCatalog } from './catalog-default';
import { decompose } from './decomposition';
import bundleOrder from './fixtures/broadband-bundle.order.json' with { type: 'json' };
import { fulfillmentPlanSchema } from './fulfillment-plan';
import { sequentialIdFactory } from './id-factory';
import { parseOrder } from './order';
import { formatPlanTable } from './plan-table';

const update = process.env.UPDATE_FIXTURES === '1';

function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Compares with the recorded fixture, or records it when UPDATE_FIXTURES=1. */
function expectFixture(name: string, actual: string): void {
  const path = fixture(name);
  if (update) {
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `${name} is missing: run with UPDATE_FIXTURES=1 to record it`).toBe(true);
  expect(actual, `${name} differs: if the change is intended, run with UPDATE_FIXTURES=1 and review the diff`).toBe(readFileSync(path, 'utf8'));
}

describe('broadband bundle decomposition fixture', () => {
  const plan = decompose(parseOrder(bundleOrder), defaultCatalog, { idFactory: sequentialIdFactory(0xb1) });

  it('matches the recorded plan exactly', () => {
    expectFixture('broadband-bundle.plan.json', `${JSON.stringify(plan, null, 2)}\n`);
  });

  it('matches the recorded plan table', () => {
    expectFixture('broadband-bundle.plan.txt', formatPlanTable(plan));
  });

  it('records a plan that the plan schema accepts (what the store will read back)', () => {
    const recorded: unknown = JSON.parse(readFileSync(fixture('broadband-bundle.plan.json'), 'utf8'));
    expect(fulfillmentPlanSchema.parse(recorded)).toEqual(plan);
  });
});
