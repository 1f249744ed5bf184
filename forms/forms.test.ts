// @vitest-environment jsdom
/// <reference lib="dom" />
/**
 * The manual-task forms against the contracts around them: the form ids the model links, the
 * Camunda 8.8 form rules, the `manualTaskView` they read and the submission `apply-manual-decision`
 * parses. Forms are rendered with the form-js viewer in jsdom and filled through the DOM (radio
 * clicks, input events), then submitted through the viewer's `submit()`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Form } from '@bpmn-io/form-js-viewer';
import { evaluate } from 'feelin';
import { afterEach, describe, expect, it } from 'vitest';
import { applyManualDecisionInputSchema, manualDecisionSubmissionSchema } from '../connector-runtime/src/jobs/apply-manual-decision/schema';

const processIds = {
  tenantId: 'tenant-a',
  orderId: '0b5e1c2a-7f3d-4c1e-9a6b-2d8f4e0c9001',
  fulfillmentPlanId: '000000b1-0000-4000-8000-000000000001',
  currentTaskId: '000000b1-0000-4000-8000-00000000000a',
};
import { manualTaskViewSchema, manualTaskViewTextMaxLength, manualTaskViewVariable } from '../connector-runtime/src/jobs/manual-task-view';
import type { ManualTaskView } from '../connector-runtime/src/jobs/manual-task-view';
import { manualTaskForms } from '../connector-runtime/src/jobs/model-names';
import { manualDecisions } from '../connector-runtime/src/domain/vocabulary';
import type { ManualDecision } from '../connector-runtime/src/domain/vocabulary';
import { lintForm, readFormFile } from './form-lint';
import { estimateTopOf, type LayoutContext } from './form-layout';

const formsDir = dirname(fileURLToPath(import.meta.url));
const formIds = manualTaskForms.map(({ id }) => id);

type FormSchema = { id: string; components: FormComponent[]; [property: string]: unknown };
type FormComponent = { id: string; type: string; key?: string; components?: FormComponent[]; [property: string]: unknown };

function loadForm(id: string): FormSchema {
  return readFormFile(join(formsDir, `${id}.form`)).schema as FormSchema;
}

function allComponents(components: FormComponent[]): FormComponent[] {
  return components.flatMap((component) => [component, ...allComponents(component.components ?? [])]);
}

// Plain sentences: the forms render view text as markdown, so markup characters would change the DOM text.
const sampleView: ManualTaskView = manualTaskViewSchema.parse({
  orderSummary: 'Order ORD-1001 for Ada Lovelace, Fibre 500 broadband',
  taskDetails: 'Activate service, task ft-2001, waiting for a manual decision, attempt 2',
  dependencyContext: 'Waits for ft-1001 (install router); ft-3001 (start billing) waits for it',
  customerImpact: 'The customer has no internet access until this task completes',
  externalEvidence: 'Provisioning callback prov-77 rejected the order: port conflict',
  allowedActions: ['COMPLETE', 'RETRY', 'SKIP_WITH_APPROVAL', 'ESCALATE'],
  repairRisk: 'Retrying may activate the line twice and bill it twice',
  auditWarning: 'Your decision is audited and applied through the OMS task state machine',
});

const validReason = 'Technician confirmed installation on site.';

interface RenderedForm {
  form: Form;
  container: HTMLElement;
}

const rendered: RenderedForm[] = [];

afterEach(() => {
  for (const { form, container } of rendered.splice(0)) {
    form.destroy();
    container.remove();
  }
});

/** Lets preact re-render after a state change (conditions, new fields). */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Renders a form with a view, or with no `manualTaskView` at all when view is null. */
async function renderForm(id: string, view: ManualTaskView | null = sampleView): Promise<RenderedForm> {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const form = new Form({ container });
  const result = { form, container };
  rendered.push(result);
  await form.importSchema(loadForm(id), view === null ? {} : { [manualTaskViewVariable]: view });
  await settle();
  return result;
}

/** The wrapper of the field rendered for a component (form-js prefixes the component id). */
function fieldElement(container: HTMLElement, componentId: string): HTMLElement | null {
  const control = container.querySelector<HTMLElement>(`[id$="-${componentId}"], [id*="-${componentId}-"]`);
  return control?.closest<HTMLElement>('.fjs-form-field') ?? null;
}

function decisionInputs(container: HTMLElement): HTMLInputElement[] {
  return [...(fieldElement(container, 'Radio_decision')?.querySelectorAll<HTMLInputElement>('input[type="radio"]') ?? [])];
}

function labelOf(container: HTMLElement, input: HTMLInputElement): string {
  return container.querySelector(`label[for="${input.id}"]`)?.textContent ?? '';
}

async function chooseDecision(container: HTMLElement, view: ManualTaskView, decision: ManualDecision): Promise<void> {
  // Options follow allowedActions, in order (the radio's valuesExpression maps over it).
  const input = decisionInputs(container)[view.allowedActions.indexOf(decision)];
  if (!input) throw new Error(`no radio option for ${decision}`);
  input.click();
  await settle();
}

async function typeInto(container: HTMLElement, componentId: string, value: string): Promise<void> {
  const control = fieldElement(container, componentId)?.querySelector<HTMLInputElement | HTMLTextAreaElement>('input, textarea');
  if (!control) throw new Error(`no input rendered for ${componentId}`);
  // As a person types: focus, input, leave the field (form-js debounces input and flushes on blur).
  control.focus();
  control.value = value;
  control.dispatchEvent(new Event('input', { bubbles: true }));
  control.blur();
  await settle();
}

interface Entry {
  decision?: ManualDecision;
  reason?: string;
  evidenceReference?: string;
  approvalReference?: string;
}

async function fillAndSubmit(id: string, entry: Entry): Promise<ReturnType<Form['submit']>> {
  const { form, container } = await renderForm(id);
  if (entry.decision) await chooseDecision(container, sampleView, entry.decision);
  if (entry.reason !== undefined) await typeInto(container, 'Textarea_reason', entry.reason);
  if (entry.evidenceReference !== undefined) await typeInto(container, 'Textfield_evidenceReference', entry.evidenceReference);
  if (entry.approvalReference !== undefined) await typeInto(container, 'Textfield_approvalReference', entry.approvalReference);
  return form.submit();
}

/** Evaluates a component's `conditional.hide` for the given data, as form-js does (FEEL, `=` prefix). */
function isHiddenFor(data: Record<string, unknown>, component: FormComponent): boolean {
  const hide = (component.conditional as { hide?: unknown } | undefined)?.hide;
  return typeof hide === 'string' && evaluate(hide.replace(/^=/, ''), data).value === true;
}

/** What the layout estimate needs to know about the data: which components show, what templates print. */
function layoutContextFor(view: ManualTaskView): LayoutContext {
  const data = { [manualTaskViewVariable]: view };
  return {
    isHidden: (component) => isHiddenFor(data, component as FormComponent),
    // The view field a template shows (its "None recorded." branch is shorter, so this is the upper case).
    renderTemplate: (expression) => {
      const field = /manualTaskView\.(\w+)/.exec(expression)?.[1] as keyof ManualTaskView | undefined;
      const value = field ? view[field] : '';
      return Array.isArray(value) ? value.join(', ') : String(value ?? '');
    },
  };
}

/** A decision code written as a word ("SKIP_WITH_APPROVAL"), as the radio values carry them. */
const decisionCode = new RegExp(`\\b(${manualDecisions.join('|')})\\b`);

/** The form-js `conditional.hide` of a component shown only when the task view is missing. */
const hideWhenViewPresent = '=manualTaskView != null';
/** The form-js `conditional.hide` of a component that reads the task view. */
const hideWhenViewMissing = '=manualTaskView = null';

/** The components of a form together with the conditions of the groups around them. */
function withAncestors(components: FormComponent[], ancestors: FormComponent[] = []): { component: FormComponent; ancestors: FormComponent[] }[] {
  return components.flatMap((component) => [{ component, ancestors }, ...withAncestors(component.components ?? [], [...ancestors, component])]);
}

/** How far below the top of the form the decision may start at 1280 px: within a laptop screen's upper third. */
const decisionTopLimit = 350;

describe('form files', () => {
  it('given the model names, when the forms folder is listed, then each manual task form has exactly one file', () => {
    const files = readdirSync(formsDir)
      .filter((name) => name.endsWith('.form'))
      .sort();
    expect(files).toEqual(formIds.map((id) => `${id}.form`).sort());
  });

  it.each(formIds)('given %s, when read, then it is a Camunda 8.8 form with the id of its file', (id) => {
    const schema = loadForm(id);
    expect(schema).toMatchObject({
      id,
      type: 'default',
      executionPlatform: 'Camunda Cloud',
      executionPlatformVersion: expect.stringMatching(/^8\.8\./),
      exporter: { name: 'Camunda Modeler' },
      schemaVersion: expect.any(Number),
    });
  });

  it.each(formIds)('given %s, when its components are listed, then ids are unique and the keys are the submission fields', (id) => {
    const components = allComponents(loadForm(id).components);
    const ids = components.map((component) => component.id);
    expect(new Set(ids).size).toBe(ids.length);
    const keys = components.flatMap((component) => (component.key ? [component.key] : []));
    expect(keys.sort()).toEqual(Object.keys(manualDecisionSubmissionSchema.shape).sort());
  });
});

describe('form lint', () => {
  it.each(formIds)('given %s, when linted for Camunda 8.8, then it has no problems', (id) => {
    expect(lintForm(loadForm(id), id)).toEqual([]);
  });

  const breakages: { name: string; componentId: string; message: RegExp; breakForm: (schema: FormSchema) => void }[] = [
    {
      name: 'a component type Camunda 8.8 does not know',
      componentId: 'Widget_unknown',
      message: /not supported by Camunda Platform 8\.8/,
      breakForm: (schema) => schema.components.push({ id: 'Widget_unknown', type: 'signature', key: 'signature' }),
    },
    {
      name: 'an invalid FEEL expression',
      componentId: 'Radio_decision',
      message: /Invalid FEEL expression in <valuesExpression>/,
      breakForm: (schema) => {
        const radio = allComponents(schema.components).find((component) => component.id === 'Radio_decision');
        if (radio) radio.valuesExpression = '=for action in manualTaskView.allowedActions return';
      },
    },
    {
      name: 'a duplicated component id',
      componentId: 'Textarea_reason',
      message: /used more than once/,
      breakForm: (schema) => schema.components.push({ id: 'Textarea_reason', type: 'textarea', key: 'note' }),
    },
    {
      name: 'no execution platform (the Camunda rules would then be skipped)',
      componentId: 'manual-activation-review',
      message: /must target Camunda Cloud 8\.8/,
      breakForm: (schema) => {
        delete schema.executionPlatformVersion;
      },
    },
    {
      name: 'an id other than the file name',
      componentId: 'manual-activation-review-v2',
      message: /Form id must be "manual-activation-review"/,
      breakForm: (schema) => {
        schema.id = 'manual-activation-review-v2';
      },
    },
  ];

  it.each(breakages)('given a copy with $name, when linted, then an error names the component', ({ componentId, message, breakForm }) => {
    const broken = structuredClone(loadForm('manual-activation-review'));
    breakForm(broken);
    const problems = lintForm(broken, 'manual-activation-review');
    expect(problems).toContainEqual(expect.objectContaining({ componentId, severity: 'error', message: expect.stringMatching(message) }));
  });
});

describe('form layout and wording', () => {
  it.each(formIds)('given %s, when its texts are read, then none repeats the decision codes the radio offers', (id) => {
    const texts = allComponents(loadForm(id).components).filter((component) => component.type === 'text');
    for (const { id: componentId, text } of texts) {
      // The radio already lists the allowed actions with readable labels; a second list in codes is noise.
      expect(String(text), componentId).not.toContain('allowedActions');
      expect(String(text), componentId).not.toMatch(decisionCode);
    }
  });

  it.each(formIds)('given %s, when read, then a notice shown only without manualTaskView says why and what to do', (id) => {
    const notices = allComponents(loadForm(id).components).filter(
      (component) => component.type === 'text' && (component.conditional as { hide?: string } | undefined)?.hide?.replace(/\s+/g, ' ') === hideWhenViewPresent,
    );
    expect(notices).toHaveLength(1);
    const text = String(notices[0]!.text);
    expect(text).toMatch(/task context could not be loaded/i);
    expect(text).toMatch(/reload the task/i);
    expect(text).toMatch(/report it to operations with the task id/i);
    expect(text).not.toContain('{{');
  });

  it.each(formIds)('given %s, when read, then every text that shows the view is hidden without it', (id) => {
    const readers = withAncestors(loadForm(id).components).filter(({ component }) => component.type === 'text' && String(component.text).includes('manualTaskView.'));
    expect(readers.length).toBeGreaterThan(0);
    for (const { component, ancestors } of readers) {
      const conditions = [component, ...ancestors].map((candidate) => (candidate.conditional as { hide?: string } | undefined)?.hide?.replace(/\s+/g, ' '));
      expect(conditions, component.id).toContain(hideWhenViewMissing);
    }
  });

  it.each(formIds)(`given %s with a sample view, when laid out at 1280 px, then the decision starts within ${decisionTopLimit} px`, (id) => {
    const top = estimateTopOf(loadForm(id).components, 'Radio_decision', layoutContextFor(sampleView));
    expect(top).toBeDefined();
    expect(top!).toBeLessThan(decisionTopLimit);
  });

  it.each(formIds)(`given %s with every view text at its longest, when laid out at 1280 px, then the decision still starts within ${decisionTopLimit} px`, (id) => {
    // The audit warning is the runtime's one fixed sentence; every other text may be up to the view's limit.
    const longest: ManualTaskView = {
      ...sampleView,
      ...Object.fromEntries(
        (['orderSummary', 'taskDetails', 'dependencyContext', 'customerImpact', 'externalEvidence', 'repairRisk'] as const).map((field) => [field, 'x'.repeat(manualTaskViewTextMaxLength)]),
      ),
    };
    const top = estimateTopOf(loadForm(id).components, 'Radio_decision', layoutContextFor(longest));
    expect(top!).toBeLessThan(decisionTopLimit);
  });
});

describe.each(formIds)('form %s rendered with the form-js viewer', (id) => {
  it('given a manual task view, when rendered, then every context text is shown and the allowed actions only as options', async () => {
    const { container } = await renderForm(id);
    const text = container.textContent ?? '';
    for (const field of ['orderSummary', 'taskDetails', 'dependencyContext', 'customerImpact', 'externalEvidence', 'repairRisk', 'auditWarning'] as const) {
      expect(text, field).toContain(sampleView[field]);
    }
    for (const shown of container.querySelectorAll('.fjs-form-field-text')) expect(shown.textContent).not.toMatch(decisionCode);
    expect(container.textContent).not.toMatch(/could not be loaded/);
  });

  it('given no manualTaskView, when rendered, then a notice says why and no empty context is shown', async () => {
    const { container } = await renderForm(id, null);
    const text = container.textContent ?? '';
    expect(text).toMatch(/task context could not be loaded/i);
    expect(text).toMatch(/report it to operations with the task id/i);
    for (const componentId of ['Group_context', 'Text_orderSummary', 'Text_auditWarning']) {
      expect(container.querySelector(`[id$="-${componentId}"], [id*="-${componentId}-"]`), componentId).toBeNull();
    }
    for (const heading of ['Order:', 'Fulfillment task', 'Repair risk', 'Audit warning']) expect(text).not.toContain(heading);
  });

  it('given no manualTaskView, when submitted, then it is refused: no decision can be chosen', async () => {
    const { form, container } = await renderForm(id, null);
    await typeInto(container, 'Textarea_reason', validReason);
    const { errors } = form.submit();
    expect(decisionInputs(container)).toHaveLength(0);
    expect(errors).toEqual({ Radio_decision: expect.any(Array) });
  });

  it('given a view with empty optional context, when rendered, then it says none was recorded', async () => {
    const { container } = await renderForm(id, { ...sampleView, dependencyContext: '', externalEvidence: '' });
    expect((container.textContent ?? '').match(/None recorded\./g)).toHaveLength(2);
  });

  it('given a view, when rendered, then exactly the allowed actions are offered, each with a label', async () => {
    const view = { ...sampleView, allowedActions: [...manualDecisions] };
    const { container } = await renderForm(id, view);
    const inputs = decisionInputs(container);
    expect(inputs).toHaveLength(manualDecisions.length);
    // Each label is the form's wording for that action, not the bare code.
    const labels = inputs.map((input) => labelOf(container, input));
    expect(new Set(labels).size).toBe(manualDecisions.length);
    for (const label of labels) expect(label).toMatch(/^[A-Z][a-z].*: /);

    const { container: narrow } = await renderForm(id, { ...sampleView, allowedActions: ['RETRY', 'ESCALATE'] });
    expect(decisionInputs(narrow).map((input) => labelOf(narrow, input))).toEqual([labels[2], labels[5]]);
  });

  it('given a decision, reason and evidence filled in, when submitted, then the submission parses as a manual decision', async () => {
    const { data, errors } = await fillAndSubmit(id, { decision: 'COMPLETE', reason: validReason, evidenceReference: 'doc-123' });
    expect(errors).toEqual({});
    expect(manualDecisionSubmissionSchema.parse(data)).toEqual({ decision: 'COMPLETE', reason: validReason, evidenceReference: 'doc-123' });
    // What the apply-manual-decision job then receives: the ids of its scope plus the submission.
    const jobInput = { ...processIds, approvalReference: null, ...(data as Record<string, unknown>) };
    expect(applyManualDecisionInputSchema.parse(jobInput)).toMatchObject({ ...processIds, decision: 'COMPLETE', reason: validReason });
  });

  it('given SKIP_WITH_APPROVAL, when chosen, then the approval reference appears and is submitted', async () => {
    const { form, container } = await renderForm(id);
    expect(fieldElement(container, 'Textfield_approvalReference')).toBeNull();
    await chooseDecision(container, sampleView, 'SKIP_WITH_APPROVAL');
    expect(fieldElement(container, 'Textfield_approvalReference')).not.toBeNull();
    await typeInto(container, 'Textarea_reason', 'Customer cancelled the add-on; activation not needed.');
    await typeInto(container, 'Textfield_approvalReference', 'APPROVAL-42');
    const { data, errors } = form.submit();
    expect(errors).toEqual({});
    expect(manualDecisionSubmissionSchema.parse(data)).toMatchObject({ decision: 'SKIP_WITH_APPROVAL', approvalReference: 'APPROVAL-42' });
  });

  it('given an approval typed for a skip, when the decision changes to COMPLETE, then no approval is submitted', async () => {
    const { form, container } = await renderForm(id);
    await chooseDecision(container, sampleView, 'SKIP_WITH_APPROVAL');
    await typeInto(container, 'Textfield_approvalReference', 'APPROVAL-42');
    await typeInto(container, 'Textarea_reason', validReason);
    await chooseDecision(container, sampleView, 'COMPLETE');
    const { data, errors } = form.submit();
    expect(errors).toEqual({});
    expect(data).toEqual({ decision: 'COMPLETE', reason: validReason, evidenceReference: '' });
  });

  // Each case: what the person enters, and whether it must be accepted. The form must agree with the schema.
  const entries: { name: string; entry: Entry; accepted: boolean }[] = [
    { name: 'a reason too short', entry: { decision: 'COMPLETE', reason: 'too short' }, accepted: false },
    { name: 'a reason short once trimmed', entry: { decision: 'COMPLETE', reason: '   too short      ' }, accepted: false },
    { name: 'a reason of blanks only', entry: { decision: 'COMPLETE', reason: ' '.repeat(20) }, accepted: false },
    { name: 'no reason', entry: { decision: 'COMPLETE' }, accepted: false },
    { name: 'no decision', entry: { reason: validReason }, accepted: false },
    { name: 'a skip without approval', entry: { decision: 'SKIP_WITH_APPROVAL', reason: validReason }, accepted: false },
    { name: 'a skip with a blank approval', entry: { decision: 'SKIP_WITH_APPROVAL', reason: validReason, approvalReference: '   ' }, accepted: false },
    { name: 'a reason over 2000 characters', entry: { decision: 'RETRY', reason: 'r'.repeat(2001) }, accepted: false },
    { name: 'an evidence reference over 256 characters', entry: { decision: 'RETRY', reason: validReason, evidenceReference: 'e'.repeat(257) }, accepted: false },
    { name: 'a reason of exactly 10 characters, padded', entry: { decision: 'ESCALATE', reason: '  0123456789  ' }, accepted: true },
    { name: 'a reason of exactly 2000 characters', entry: { decision: 'ESCALATE', reason: 'r'.repeat(2000) }, accepted: true },
    { name: 'an evidence reference of 256 characters', entry: { decision: 'RETRY', reason: validReason, evidenceReference: 'e'.repeat(256) }, accepted: true },
    { name: 'no evidence reference', entry: { decision: 'RETRY', reason: validReason }, accepted: true },
  ];

  it.each(entries)('given $name, when submitted, then form and schema agree (accepted: $accepted)', async ({ entry, accepted }) => {
    const { data, errors } = await fillAndSubmit(id, entry);
    expect(Object.keys(errors).length === 0, `form errors: ${JSON.stringify(errors)}`).toBe(accepted);
    expect(manualDecisionSubmissionSchema.safeParse(data).success).toBe(accepted);
  });
});
