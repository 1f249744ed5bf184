/* global window, document */
/**
 * Browser side of the form e2e test: renders a Camunda form with @bpmn-io/form-js-viewer, the
 * renderer Tasklist uses, and reports what a person sees.
 *
 * Plain JavaScript on purpose: it runs in chromium, outside the Node program `tsc` checks.
 */
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import './form-page.css';

import { Form } from '@bpmn-io/form-js-viewer';

let form = null;
let latestData = {};

/** Renders `schema` with `data` (the task's variables) into `#form`; resolves to the import warnings. */
async function renderForm(schema, data) {
  if (form) form.destroy();
  const container = document.getElementById('form');
  container.replaceChildren();
  form = new Form({ container });
  latestData = { ...data };
  form.on('changed', (event) => {
    latestData = event.data;
  });
  const { warnings } = await form.importSchema(schema, data);
  return { warnings: warnings.map((w) => String(w.message || w)) };
}

/** Whether an element is laid out and not hidden. */
function visible(element) {
  return element.getClientRects().length > 0;
}

/** The visible text blocks and, per field key, whether it shows and which options it offers. */
function inspectForm() {
  const container = document.getElementById('form');
  const texts = [...container.querySelectorAll('.fjs-form-field-text')].filter(visible).map((e) => e.textContent.trim());
  const fields = {};
  for (const field of container.querySelectorAll('.fjs-form-field')) {
    const input = field.querySelector('input, textarea, select');
    if (!input) continue;
    const id = input.id || '';
    const key = field.dataset.key || (input.name || id.replace(/^fjs-form-[^-]+-/, '').replace(/-\d+$/, ''));
    const label = (field.querySelector('.fjs-form-field-label') || {}).textContent || '';
    const options = [...field.querySelectorAll('input[type=radio], input[type=checkbox], option')].map((o) => {
      const optionLabel = o.tagName === 'OPTION' ? o.textContent : (o.closest('.fjs-inline-label, label') || {}).textContent || '';
      return optionLabel.trim();
    });
    fields[label.replace(/\*$/, '').trim()] = { key, visible: visible(field), options };
  }
  return { texts, fields };
}

/**
 * Picks each option of the radio field labelled `label` in turn, as a person would, and returns
 * the value the form data gets for it under `key` (the DOM keeps radio values out of sight).
 */
function pickEachOption(label, key) {
  const container = document.getElementById('form');
  const field = [...container.querySelectorAll('.fjs-form-field-radio')].find(
    (f) => ((f.querySelector('.fjs-form-field-label') || {}).textContent || '').replace(/\*$/, '').trim() === label,
  );
  if (!field) return [];
  return [...field.querySelectorAll('input[type=radio]')].map((input) => {
    input.click();
    return latestData[key];
  });
}

window.formPage = { renderForm, inspectForm, pickEachOption };
