/**
 * The committed order-fulfillment model as an analyst sees it in Camunda Modeler: imported into
 * the e2e editor (the Modeler's Camunda 8 BPMN editor, see harness/pages/editor-page.js) with the
 * pack's element templates. Every plane is screenshotted and checked for layout defects in what
 * bpmn-js actually drew; every templated element must resolve to a loaded template; and every
 * template, applied to a fresh element, must render a properties panel without empty dropdowns
 * and without descriptions the panel's HTML sanitizer cut short.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './harness/browser';
import { loadElementTemplates, openEditor, screenshotPanel, screenshotPlane, type Editor, type PanelContent } from './harness/editor';
import { findLayoutDefects } from './harness/layout-check';
import { repoRoot, screenshotFile } from './harness/paths';

interface TemplateProperty {
  type?: string;
  label?: string;
  description?: string;
  group?: string;
  condition?: unknown;
  value?: string;
  choices?: { name: string; value: string }[];
  binding?: Record<string, string>;
}

interface TemplateFile {
  id: string;
  name: string;
  version: number;
  appliesTo: string[];
  groups?: { id: string; label: string }[];
  properties: TemplateProperty[];
}

const modelFile = path.join(repoRoot, 'bpmn/order-fulfillment-v1.bpmn');

/** An empty Camunda 8.8 process to apply templates in. */
const blankDiagram = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_templates" targetNamespace="http://bpmn.io/schema/bpmn" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0">
  <bpmn:process id="Process_templates" isExecutable="true" />
  <bpmndi:BPMNDiagram id="Diagram_templates"><bpmndi:BPMNPlane id="Plane_templates" bpmnElement="Process_templates" /></bpmndi:BPMNDiagram>
</bpmn:definitions>`;

/** `SubProcess_ValidationPhase_plane` → `validation-phase`; the root keeps its process id. */
function planeName(rootId: string): string {
  const core = rootId.replace(/^SubProcess_/, '').replace(/_plane$/, '');
  return core.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase();
}

const normalize = (text: string) => text.replace(/\s+/g, ' ').trim();

let browser: Browser;
let editor: Editor;
let importWarnings: string[];
let planes: string[];
const generatedDir = path.join(repoRoot, 'element-templates/generated');
/** The current version of every template (read at collection time: one test per template). */
const generated = await Promise.all(
  (await readdir(generatedDir))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map(async (file) => JSON.parse(await readFile(path.join(generatedDir, file), 'utf8')) as TemplateFile),
);

beforeAll(async () => {
  browser = await launchBrowser();
  editor = await openEditor(browser, 'model-rendering');
  ({ warnings: importWarnings } = await editor.editor.evaluate(async (e, xml) => e.importXML(xml), await readFile(modelFile, 'utf8')));
  planes = await editor.editor.evaluate((e) => e.planes());
});

afterAll(async () => {
  await editor?.close();
  await browser?.close();
});

describe('order-fulfillment-v1 in the editor', () => {
  it('given the committed model, when it is imported, then there are no warnings, no page errors, and every plane is drawn', async () => {
    expect(importWarnings).toEqual([]);
    expect(planes[0]).toBe('order-fulfillment-v1');
    expect(planes.length).toBeGreaterThan(1);

    for (const rootId of planes) {
      await screenshotPlane(editor, rootId, await screenshotFile(`model-${planeName(rootId)}.png`));
    }

    expect(editor.errors).toEqual([]);
  });

  it('given every plane as drawn, when the layout is checked, then no labels overlap, no label lies over a foreign shape or crosses a subprocess border, and no flow runs through its own ends', async () => {
    const defects: string[] = [];

    for (const rootId of planes) {
      const plane = await editor.editor.evaluate((e, id) => e.measurePlane(id), rootId);
      expect(plane.shapes.length, `shapes on ${rootId}`).toBeGreaterThan(0);
      defects.push(...findLayoutDefects(plane).map((d) => `${rootId}: [${d.rule}] ${d.message}`));
    }

    expect(defects).toEqual([]);
  });

  it('given the pack templates are loaded, when each templated element is looked up, then every one resolves to its template', async () => {
    const templated = await editor.editor.evaluate((e) => {
      const templates = e.modeler.get('elementTemplates');
      return e.modeler
        .get('elementRegistry')
        .filter((element) => element.type !== 'label' && !!element.businessObject.get('zeebe:modelerTemplate'))
        .map((element) => ({
          id: element.id,
          template: `${element.businessObject.get('zeebe:modelerTemplate')}@${element.businessObject.get('zeebe:modelerTemplateVersion')}`,
          resolved: templates.get(element) !== null,
        }));
    });

    expect(templated.length).toBeGreaterThanOrEqual(130);
    expect(templated.filter((t) => !t.resolved)).toEqual([]);
    expect(await editor.editor.evaluate((e) => e.templateErrors)).toEqual([]);
  });
});

/** Applies a loaded template to a fresh element of the first type it applies to, selects it, and screenshots the panel. */
async function applyToFreshElement(template: TemplateFile, screenshotName: string): Promise<{ template: string | null; panel: PanelContent }> {
  await editor.editor.evaluate(async (e, xml) => e.importXML(xml), blankDiagram);
  const applied = await editor.editor.evaluate(
    (e, { id, version }) => {
      const templates = e.modeler.get('elementTemplates');
      const factory = e.modeler.get('elementFactory');
      const modeling = e.modeler.get('modeling');
      const root = e.modeler.get('canvas').getRootElement();
      const chosen = templates.get(id, version);
      if (!chosen) throw new Error(`template ${id}@${version} is not loaded`);
      const type = chosen.appliesTo[0]!;
      let element;
      if (type === 'bpmn:BoundaryEvent') {
        const host = modeling.createShape(factory.createShape({ type: 'bpmn:Task' }), { x: 300, y: 200 }, root);
        element = modeling.createShape(factory.createShape({ type }), { x: 300, y: 240 }, host, { attach: true });
      } else {
        element = modeling.createShape(factory.createShape({ type }), { x: 300, y: 200 }, root);
      }
      const result = templates.applyTemplate(element, chosen);
      e.modeler.get('selection').select(result);
      const resolved = templates.get(result);
      return resolved ? `${resolved.id}@${resolved.version}` : null;
    },
    { id: template.id, version: template.version },
  );
  await editor.page.waitForSelector(`#properties [data-entry-id^="custom-entry-${template.id}"], #properties [data-group-id^="group-ElementTemplates__"]`);
  const panel = await screenshotPanel(editor, await screenshotFile(screenshotName));
  return { template: applied, panel };
}

/**
 * What is wrong in the panel of an applied template: a dropdown without options, a property that
 * is not shown although it has no condition, or a description that does not read as written
 * (the panel sanitizes descriptions as HTML, so text after a `<` disappears).
 */
function panelProblems(template: TemplateFile, panel: PanelContent): string[] {
  const problems = panel.selects.filter((s) => s.options.length === 0).map((s) => `dropdown ${s.entryId} has no options`);
  const groupIds = new Set((template.groups ?? []).map((g) => g.id));
  const rendered = panel.entries.filter((entry) => entry.entryId.startsWith(`custom-entry-${template.id}-`));
  for (const property of template.properties) {
    if (property.type === 'Hidden' || !property.label) continue;
    const groupId = property.group && groupIds.has(property.group) ? `group-ElementTemplates__CustomProperties-${property.group}` : 'group-ElementTemplates__CustomProperties';
    const entry = rendered.find((r) => r.groupId === groupId && normalize(r.label) === normalize(property.label!));
    if (!entry) {
      if (!property.condition) problems.push(`"${property.label}" is not shown`);
      continue;
    }
    if (!property.description) continue;
    const shown = normalize(entry.description ?? '');
    if (shown !== normalize(property.description)) {
      const cut = property.description.includes('<') ? ' (cut off at "<")' : '';
      problems.push(`description of "${property.label}" reads "${shown}" instead of "${normalize(property.description)}"${cut}`);
    }
  }
  return problems;
}

describe.each(generated.map((t) => [t.id, t] as const))('template %s', (templateId, template) => {
  it('given a fresh element it applies to, when the template is applied and selected, then the properties panel has no empty dropdown and shows every description in full', async () => {
    const { template: applied, panel } = await applyToFreshElement(template, `template-panel-${templateId.replace(/^fulfillment-pack\./, '')}.png`);

    expect(applied).toBe(`${templateId}@${template.version}`);
    expect(panelProblems(template, panel)).toEqual([]);
  });
});

describe('the template panel check', () => {
  it('given a template with an empty dropdown and a description holding "<", when applied, then the check names both', async () => {
    const broken: TemplateFile & Record<string, unknown> = {
      $schema: 'https://unpkg.com/@camunda/zeebe-element-templates-json-schema/resources/schema.json',
      id: 'e2e.broken-template',
      name: 'Broken on purpose',
      version: 1,
      appliesTo: ['bpmn:Task'],
      elementType: { value: 'bpmn:ServiceTask' },
      properties: [
        { type: 'Hidden', value: 'e2e-job', binding: { type: 'zeebe:taskDefinition', property: 'type' } },
        { label: 'Form file', type: 'String', description: 'Stored as forms/<form-id>.form.', binding: { type: 'zeebe:taskHeader', key: 'form' } },
        { label: 'Owner', type: 'Dropdown', choices: [], binding: { type: 'zeebe:taskHeader', key: 'owner' } },
      ],
    };
    const all = await loadElementTemplates();
    await editor.editor.evaluate((e, templates) => e.setTemplates(templates), [...all, broken]);
    try {
      const { panel } = await applyToFreshElement(broken, 'template-panel-check-control.png');

      const problems = panelProblems(broken, panel);
      expect(problems).toHaveLength(2);
      expect(problems.join('\n')).toMatch(/dropdown .* has no options/);
      expect(problems.join('\n')).toMatch(/description of "Form file" reads "Stored as forms\/" .*\(cut off at "<"\)/);
    } finally {
      await editor.editor.evaluate((e, templates) => e.setTemplates(templates), all);
    }
  });
});
