/**
 * Every manual-task form rendered in chromium with @bpmn-io/form-js-viewer (what Tasklist uses),
 * once with the variables a real task carries (a `manualTaskView` built like
 * `connector-runtime/src/commands/task-view.ts` builds it) and once with none. With data a person
 * must see the decision with one option per allowed action; without data the form must say why
 * it cannot be completed instead of showing an empty decision. Screenshots of both go to the
 * screenshots folder.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { falloutRepairActions } from '../../connector-runtime/src/commands/fallout';
import { manualTaskActions } from '../../connector-runtime/src/commands/task-execution';
import { manualTaskViewSchema, type ManualTaskView } from '../../connector-runtime/src/jobs/manual-task-view';
import { manualTaskForms } from '../../connector-runtime/src/jobs/model-names';
import { launchBrowser } from './harness/browser';
import { openFormViewer, type FormViewer } from './harness/form-viewer';
import { repoRoot, screenshotFile } from './harness/paths';

const orderSummary = 'Order ACME-2026-00417 (version 2), 3 items: ADD FIBRE_1G, ADD ROUTER_WIFI7, ADD TV_BASIC';
const auditWarning = 'Your decision is recorded in the audit log with your name and reason, and applied through the OMS.';

/** A realistic view per form: the task it is shown for, in the words task-view.ts uses. */
const views: Record<(typeof manualTaskForms)[number]['id'], ManualTaskView> = {
  'manual-activation-review': {
    orderSummary,
    taskDetails: 'MANUAL_ACTIVATION_REVIEW for ADD FIBRE_1G, phase ACTIVATION, status WAITING, attempt 2',
    dependencyContext: 'Waits for: CREATE_PROVISIONING_REQUEST (COMPLETED); needed by: ACTIVATE_BILLING (PENDING)',
    customerImpact: 'Required for the order: the customer waits until it is done.',
    externalEvidence: 'CALLBACK from PROVISIONING ref PRV-88121; ERROR from ACTIVATION ref ACT-5521',
    allowedActions: manualTaskActions,
    repairRisk: 'Its effect can be undone by compensation; a retry may repeat a partner request (idempotency keys prevent duplicates).',
    auditWarning,
  },
  'onsite-installation-confirmation': {
    orderSummary,
    taskDetails: 'ONSITE_INSTALLATION_CONFIRMATION for ADD ROUTER_WIFI7, phase ACTIVATION, status WAITING, attempt 1',
    dependencyContext: 'Waits for: CONFIRM_SHIPMENT (COMPLETED); needed by: nothing',
    customerImpact: 'Required for the order: the customer waits until it is done.',
    externalEvidence: 'DOCUMENT from FIELD_SERVICE ref FS-2026-0113',
    allowedActions: manualTaskActions,
    repairRisk: 'Its effect cannot be undone automatically; a wrong decision needs manual correction.',
    auditWarning,
  },
  'address-exception-resolution': {
    orderSummary,
    taskDetails: 'CHECK_SERVICEABILITY for ADD FIBRE_1G, phase VALIDATION, status WAITING, attempt 1',
    dependencyContext: 'Waits for: nothing; needed by: RESERVE_RESOURCE (PENDING), CREATE_PROVISIONING_REQUEST (PENDING)',
    customerImpact: 'Required for the order: the customer waits until it is done.',
    externalEvidence: '',
    allowedActions: manualTaskActions,
    repairRisk: '',
    auditWarning,
  },
  'customer-appointment-confirmation': {
    orderSummary,
    taskDetails: 'SCHEDULE_APPOINTMENT for ADD ROUTER_WIFI7, phase ACTIVATION, status WAITING, attempt 1',
    dependencyContext: 'Waits for: nothing; needed by: ONSITE_INSTALLATION_CONFIRMATION (PENDING)',
    customerImpact: 'Optional: the order can complete without it.',
    externalEvidence: 'CALLBACK from SCHEDULING ref APT-7781',
    allowedActions: manualTaskActions,
    repairRisk: 'Its effect cannot be undone automatically; a wrong decision needs manual correction.',
    auditWarning,
  },
  'fallout-repair-decision': {
    orderSummary,
    taskDetails: 'RESERVE_RESOURCE for ADD FIBRE_1G, phase RESERVATION, status FALLOUT, attempt 3; fallout: RESERVE_RESOURCE rejected by the owner system',
    dependencyContext: 'Waits for: CHECK_SERVICEABILITY (COMPLETED); needed by: CREATE_PROVISIONING_REQUEST (PENDING)',
    customerImpact: 'Required for the order: the customer waits until it is done.',
    externalEvidence: 'ERROR from INVENTORY ref INV-REJ-311',
    allowedActions: falloutRepairActions,
    repairRisk: 'Its effect can be undone by compensation; a retry may repeat a partner request (idempotency keys prevent duplicates).',
    auditWarning,
  },
};

/** The other variables a manual task's scope holds (the process's start variables and the task's). */
const taskVariables = {
  tenantId: 'tenant-acme',
  orderId: '6b1f6f8e-3f5e-4b8e-9d62-0d7e0c7c1a11',
  fulfillmentPlanId: '0a3c9a52-51a4-4f0e-a0a6-0f0e5b1ad3f2',
  currentTaskId: '5d0c7f1a-8a0e-4f55-a3d1-51c4a8d0f7e2',
};

let browser: Browser;
let viewer: FormViewer;

beforeAll(async () => {
  browser = await launchBrowser();
  viewer = await openFormViewer(browser, 'forms-rendering');
});

afterAll(async () => {
  await viewer?.close();
  await browser?.close();
});

async function render(formId: string, data: Record<string, unknown>) {
  const schema = JSON.parse(await readFile(path.join(repoRoot, 'forms', `${formId}.form`), 'utf8'));
  const errorsBefore = viewer.errors.length;
  const { warnings } = await viewer.viewer.evaluate((page, args) => page.renderForm(args.schema, args.data), { schema, data });
  const seen = await viewer.viewer.evaluate((page) => page.inspectForm());
  return { warnings, errors: viewer.errors.slice(errorsBefore), ...seen };
}

describe.each(manualTaskForms.map((form) => form.id))('form %s', (formId) => {
  it('given a task with its manual task view, when the form renders, then the decision shows one option per allowed action and the context is filled in', async () => {
    const view = manualTaskViewSchema.parse(views[formId]);

    const seen = await render(formId, { ...taskVariables, manualTaskView: view });
    await viewer.page.locator('#form').screenshot({ path: await screenshotFile(`form-${formId}.png`) });

    expect(seen.errors).toEqual([]);
    expect(seen.warnings).toEqual([]);
    const decision = seen.fields['Decision'];
    expect(decision, `fields: ${Object.keys(seen.fields).join(', ')}`).toBeDefined();
    expect(decision!.visible).toBe(true);
    expect(decision!.options).toHaveLength(view.allowedActions.length);
    for (const label of decision!.options) expect(label).not.toBe('');
    const shown = seen.texts.join('\n');
    expect(shown).toContain(view.orderSummary);
    expect(shown).toContain(view.taskDetails);
    expect(shown).toContain(view.auditWarning);
    expect(shown).not.toMatch(/\{\{|\bnull\b|undefined/);
    expect(await viewer.viewer.evaluate((page) => page.pickEachOption('Decision', 'decision'))).toEqual(view.allowedActions);
  });

  it('given a task without a manual task view, when the form renders, then a notice explains why nothing can be decided', async () => {
    const withData = await render(formId, { ...taskVariables, manualTaskView: views[formId] });

    const seen = await render(formId, {});
    await viewer.page.locator('#form').screenshot({ path: await screenshotFile(`form-${formId}-without-data.png`) });

    expect(seen.errors).toEqual([]);
    expect(seen.warnings).toEqual([]);
    const decision = seen.fields['Decision'];
    expect(decision?.options ?? []).toEqual([]);
    // The notice is text a person sees only when the view is missing, and it says what is missing.
    const notices = seen.texts.filter((text) => !withData.texts.includes(text));
    expect(notices, 'text shown only without manualTaskView').not.toEqual([]);
    expect(notices.join('\n')).toMatch(/context|manualTaskView/i);
  });
});
