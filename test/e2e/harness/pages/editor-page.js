/* global window, document */
/**
 * Browser side of the e2e editor: the Camunda 8 BPMN editor as Camunda Modeler 5 builds it, with
 * only the parts the Modeler gets from packages we do not ship (tracking, minimap, grid, color
 * picker, create-append-anything) left out. Read against camunda/camunda-modeler:
 *
 * - `client/src/remote/Plugins.js`: `bindHelpers` puts the vendored properties panel on
 *   `window.vendor` before any plug-in script runs; `loadAll` adds each plug-in's `<link>` and then
 *   its `<script async=false>`; `get(type)` filters `window.plugins` by `type`.
 * - `client/src/app/tabs/bpmn-shared/util/configure.js`: `additionalModules` and moddle
 *   extensions come from `getPlugins('bpmn.cloud.modeler.additionalModules')` and friends.
 * - `client/src/app/tabs/cloud-bpmn/BpmnEditor.js` (`createCachedState`) and
 *   `modeler/BpmnModeler.js`: camunda-bpmn-js' camunda-cloud Modeler (bpmn-js Modeler, properties
 *   panel with the BPMN, Zeebe and cloud element-template providers, camunda-cloud behaviors,
 *   zeebe moddle) plus `@camunda/linting/modeler`; templates go through `elementTemplatesLoader`.
 * - `client/src/app/TabsProvider.js` (`cloud-bpmn.getLinter`) and `App.js` (`getTabLinter`,
 *   `lintTab`): a `@camunda/linting` Linter with the `lintRules.cloud-bpmn` plug-ins plus the
 *   element-templates lint plug-in; the reports go to `linting.setErrors` and the Problems panel
 *   (`client/src/app/panel/tabs/linting/LintingTab.js`), rendered here as a plain list.
 *
 * Plain JavaScript on purpose: it runs in chromium, outside the Node program `tsc` checks.
 */
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-element-templates/dist/assets/element-templates.css';
import '@camunda/linting/assets/linting.css';
import './editor-page.css';

import BpmnModeler from 'bpmn-js/lib/Modeler';
import * as PropertiesPanel from '@bpmn-io/properties-panel';
import * as Preact from '@bpmn-io/properties-panel/preact';
import PreactCompat, * as PreactCompatExports from '@bpmn-io/properties-panel/preact/compat';
import * as PreactHooks from '@bpmn-io/properties-panel/preact/hooks';
import * as PreactJsxRuntime from '@bpmn-io/properties-panel/preact/jsx-runtime';
import * as BpmnJsPropertiesPanel from 'bpmn-js-properties-panel';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  ZeebePropertiesProviderModule,
  ZeebeTooltipProvider,
} from 'bpmn-js-properties-panel';
import { CloudElementTemplatesLinterPlugin, CloudElementTemplatesPropertiesProviderModule } from 'bpmn-js-element-templates';
import camundaCloudBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-cloud';
import zeebeModdle from 'zeebe-bpmn-moddle/resources/zeebe.json';
import { Linter } from '@camunda/linting';
import lintingModule from '@camunda/linting/modeler';
import { getLabel } from 'bpmn-js/lib/features/label-editing/LabelUtil';
import { isExpanded } from 'bpmn-js/lib/util/DiUtil';
import { is } from 'bpmn-js/lib/util/ModelUtil';

/** What the Modeler's `Plugins.bindHelpers` vendors to plug-ins (the parts a bpmn-js plug-in can use). */
function bindHelpers(global) {
  global.vendor = {
    propertiesPanel: {
      common: PropertiesPanel,
      preact: { root: Preact, compat: { ...PreactCompatExports, default: PreactCompat }, hooks: PreactHooks, jsxRuntime: PreactJsxRuntime },
      bpmn: BpmnJsPropertiesPanel,
    },
  };
}

/** `Plugins.get(type)`: registrations of that type, in registration order. */
function getPlugins(type) {
  return (window.plugins || []).filter((registration) => registration.type === type).map((registration) => registration.plugin);
}

/** `Plugins.loadAll()`: styles first, then scripts in order (`async = false`). */
async function loadAppPlugins(appPlugins) {
  await Promise.all(
    appPlugins
      .filter((p) => p.style)
      .map(
        (p) =>
          new Promise((resolve) => {
            const link = document.createElement('link');
            link.href = p.style;
            link.rel = 'stylesheet';
            link.onload = resolve;
            link.onerror = resolve;
            document.head.appendChild(link);
          }),
      ),
  );
  await Promise.all(
    appPlugins
      .filter((p) => p.script)
      .map(
        (p) =>
          new Promise((resolve, reject) => {
            const script = document.createElement('script');
            script.src = p.script;
            script.type = 'text/javascript';
            script.async = false;
            script.onload = resolve;
            script.onerror = () => reject(new Error(`plug-in script ${p.script} failed to load`));
            script.dataset.name = p.name;
            document.head.appendChild(script);
          }),
      ),
  );
}

/** `configureModeler(getPlugins, defaults, _, 'cloud')`: the additional-modules and moddle-extension middlewares. */
function configureModeler(defaultOptions) {
  const additionalModules = [...getPlugins('bpmn.modeler.additionalModules'), ...getPlugins('bpmn.cloud.modeler.additionalModules')];
  const extensions = [...getPlugins('bpmn.modeler.moddleExtension'), ...getPlugins('bpmn.cloud.modeler.moddleExtension')];
  const moddleExtensions = { ...defaultOptions.moddleExtensions };
  for (const extension of extensions) moddleExtensions[extension.name] = extension;
  return { ...defaultOptions, additionalModules: [...(defaultOptions.additionalModules || []), ...additionalModules], moddleExtensions };
}

/**
 * camunda-bpmn-js' camunda-cloud Modeler (base extension modules, then the cloud modules) with the
 * Modeler's `lintingAnnotationsModule`, reduced to the installed modules; plug-in modules come
 * after these, through `additionalModules`.
 */
class CloudBpmnModeler extends BpmnModeler {}
CloudBpmnModeler.prototype._modules = [
  ...BpmnModeler.prototype._modules,
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  camundaCloudBehaviorsModule,
  ZeebePropertiesProviderModule,
  CloudElementTemplatesPropertiesProviderModule,
  lintingModule,
];

function sortReports(reports) {
  const rank = { error: 0, warn: 1, info: 2 };
  const name = (r) => (r.name || r.id || '').toLowerCase();
  return [...reports].sort((a, b) => (rank[a.category] ?? 3) - (rank[b.category] ?? 3) || name(a).localeCompare(name(b)));
}

/** The Problems panel: one row per report, as the Modeler's LintingTab lists them. */
function renderProblems(container, reports) {
  container.replaceChildren();
  const header = document.createElement('div');
  header.className = 'e2e-problems__title';
  const errors = reports.filter((r) => r.category === 'error').length;
  header.textContent = `Problems (${errors} errors, ${reports.length - errors} other)`;
  container.appendChild(header);
  if (reports.length === 0) {
    const empty = document.createElement('div');
    empty.className = 'e2e-problem e2e-problem--empty';
    empty.textContent = 'No problems found.';
    container.appendChild(empty);
  }
  for (const report of sortReports(reports)) {
    const row = document.createElement('div');
    row.className = `e2e-problem e2e-problem--${report.category}`;
    row.dataset.rule = report.rule || '';
    row.dataset.elementId = report.id || '';
    const label = document.createElement('span');
    label.className = 'e2e-problem__label';
    label.textContent = report.name || report.id || '';
    const message = document.createElement('span');
    message.className = 'e2e-problem__message';
    message.textContent = report.message;
    const rule = document.createElement('span');
    rule.className = 'e2e-problem__rule';
    rule.textContent = report.rule || '';
    row.append(label, message, rule);
    container.appendChild(row);
  }
}

/** The plane (root element) an element is drawn on. */
function rootOf(element) {
  let current = element;
  while (current.parent) current = current.parent;
  return current;
}

function outlineOf(element) {
  if (is(element, 'bpmn:Event')) return 'ellipse';
  if (is(element, 'bpmn:Gateway')) return 'diamond';
  return 'rect';
}

function isContainer(element) {
  return (
    (is(element, 'bpmn:SubProcess') && isExpanded(element)) ||
    is(element, 'bpmn:Participant') ||
    is(element, 'bpmn:Lane') ||
    is(element, 'bpmn:Group')
  );
}

/** The drawn text of an element's graphics, in diagram coordinates, or null when it draws none. */
function drawnText(registry, element) {
  const gfx = registry.getGraphics(element);
  const texts = gfx ? [...gfx.querySelectorAll(':scope > .djs-visual > text')] : [];
  const drawn = texts.filter((t) => t.textContent.trim());
  if (drawn.length === 0) return null;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const t of drawn) {
    const box = t.getBBox();
    minX = Math.min(minX, box.x);
    minY = Math.min(minY, box.y);
    maxX = Math.max(maxX, box.x + box.width);
    maxY = Math.max(maxY, box.y + box.height);
  }
  return {
    text: drawn.map((t) => t.textContent).join(' '),
    bounds: { x: element.x + minX, y: element.y + minY, width: maxX - minX, height: maxY - minY },
  };
}

/**
 * Shows one plane and measures what is drawn on it: shape bounds and outlines, connection
 * waypoints, and the bounding box of every drawn label text (external labels and the text inside
 * tasks, subprocesses and annotations).
 */
function measurePlane(modeler, rootId) {
  const registry = modeler.get('elementRegistry');
  const canvas = modeler.get('canvas');
  const root = registry.get(rootId);
  canvas.setRootElement(root);
  const onPlane = registry.filter((e) => e !== root && rootOf(e) === root);
  const shapes = [];
  const labels = [];
  const connections = [];
  for (const element of onPlane) {
    if (element.waypoints) {
      connections.push({
        id: element.id,
        type: element.type,
        sourceId: element.source ? element.source.id : null,
        targetId: element.target ? element.target.id : null,
        waypoints: element.waypoints.map((p) => ({ x: p.x, y: p.y })),
      });
      continue;
    }
    if (element.type === 'label') {
      const drawn = drawnText(registry, element);
      if (drawn) labels.push({ id: element.id, ownerId: element.labelTarget.id, embedded: false, ...drawn });
      continue;
    }
    shapes.push({
      id: element.id,
      type: element.type,
      name: getLabel(element) || '',
      bounds: { x: element.x, y: element.y, width: element.width, height: element.height },
      outline: outlineOf(element),
      container: isContainer(element),
      hostId: element.host ? element.host.id : null,
    });
    const drawn = drawnText(registry, element);
    if (drawn) labels.push({ id: `${element.id}#text`, ownerId: element.id, embedded: true, ...drawn });
  }
  return { rootId, shapes, labels, connections };
}

/** Opens every closed group of the properties panel (a list group without items ignores the click). */
function expandPanelGroups() {
  for (const header of document.querySelectorAll('#properties .bio-properties-panel-group-header:not(.open)')) header.click();
}

/**
 * What the properties panel shows: its groups, every entry with its label and description text,
 * and every `select` with its options.
 */
function inspectPanel() {
  const panel = document.getElementById('properties');
  const entries = [...panel.querySelectorAll('[data-entry-id]')].map((entry) => {
    const group = entry.closest('[data-group-id]');
    const label = entry.querySelector('.bio-properties-panel-label');
    const description = entry.querySelector('.bio-properties-panel-description');
    return {
      entryId: entry.dataset.entryId,
      groupId: group ? group.dataset.groupId : '',
      label: label ? label.textContent.trim() : '',
      description: description ? description.textContent : null,
    };
  });
  const selects = [...panel.querySelectorAll('select')].map((select) => {
    const entry = select.closest('[data-entry-id]');
    return { entryId: entry ? entry.dataset.entryId : select.id, options: [...select.options].map((o) => o.textContent.trim()) };
  });
  const header = panel.querySelector('.bio-properties-panel-header');
  return { header: header ? header.textContent.trim() : '', entries, selects, height: panel.scrollHeight };
}

function extension(bo, type) {
  const values = (bo && bo.extensionElements && bo.extensionElements.values) || [];
  return values.find((value) => value.$type === type);
}

/**
 * A plain-data summary of diagram elements: type, template, the Zeebe settings the blocks wire,
 * and how they connect (so a test can follow flows without touching moddle objects).
 */
function describeElements(modeler, ids) {
  const registry = modeler.get('elementRegistry');
  return ids
    .map((id) => registry.get(id))
    .filter(Boolean)
    .map((element) => {
      const bo = element.businessObject;
      const definition = (bo.eventDefinitions || [])[0];
      const message = definition && definition.messageRef;
      const subscription = message && extension(message, 'zeebe:Subscription');
      const headers = extension(bo, 'zeebe:TaskHeaders');
      const loop = bo.loopCharacteristics;
      const zeebeLoop = loop && extension(loop, 'zeebe:LoopCharacteristics');
      const condition = bo.conditionExpression;
      return {
        id: element.id,
        type: bo.$type,
        name: bo.name || '',
        parentId: element.parent ? element.parent.id : null,
        template: bo.get('zeebe:modelerTemplate') || null,
        templateVersion: bo.get('zeebe:modelerTemplateVersion') ?? null,
        eventDefinition: definition ? definition.$type : null,
        timerDuration: definition && definition.timeDuration ? definition.timeDuration.body : null,
        messageName: message ? message.name : null,
        correlationKey: subscription ? subscription.correlationKey : null,
        attachedTo: element.host ? element.host.id : null,
        cancelActivity: bo.$type === 'bpmn:BoundaryEvent' ? bo.cancelActivity !== false : null,
        isForCompensation: !!bo.isForCompensation,
        jobType: (extension(bo, 'zeebe:TaskDefinition') || {}).type || null,
        formId: (extension(bo, 'zeebe:FormDefinition') || {}).formId || null,
        headers: headers ? Object.fromEntries(headers.values.map((h) => [h.key, h.value])) : {},
        multiInstance: loop ? { sequential: !!loop.isSequential, inputCollection: zeebeLoop ? zeebeLoop.inputCollection : null } : null,
        sourceId: element.source ? element.source.id : null,
        targetId: element.target ? element.target.id : null,
        condition: condition ? condition.body : null,
        isDefault: !!(element.source && element.source.businessObject.default === bo),
      };
    });
}

/** Opens a popup menu (`bpmn-append`, `bpmn-create`, ...) next to an element, as the context pad does. */
function openPopupMenu(modeler, elementId, providerId, title) {
  const registry = modeler.get('elementRegistry');
  const element = registry.get(elementId);
  const box = registry.getGraphics(element).getBoundingClientRect();
  modeler.get('popupMenu').open(element, providerId, { x: box.right + 10, y: box.top }, { title, width: 300 });
  const popup = document.querySelector('.djs-popup');
  return {
    groups: [...popup.querySelectorAll('.djs-popup-group')].map((group) => ({
      id: group.dataset.group,
      // The group's header is the element that labels the group's list.
      name: ((group.getAttribute('aria-labelledby') && document.getElementById(group.getAttribute('aria-labelledby'))) || {}).title || '',
      entries: [...group.querySelectorAll('[data-id]')].map((entry) => entry.dataset.id),
    })),
  };
}

/** Creates the editor once the plug-ins are loaded; resolves to the page API the tests drive. */
async function start() {
  const config = window.e2eConfig || { plugins: [] };
  bindHelpers(window);
  await loadAppPlugins(config.plugins);

  const options = configureModeler({
    exporter: { name: 'Camunda Modeler', version: '5.0.0-e2e' },
    moddleExtensions: { zeebe: zeebeModdle },
  });
  const modeler = new CloudBpmnModeler({
    ...options,
    container: '#canvas',
    changeTemplateCommand: 'propertiesPanel.zeebe.changeTemplate',
    linting: { active: true },
    propertiesPanel: { parent: '#properties', tooltip: ZeebeTooltipProvider, feelTooltipContainer: '#editor', feelPopupContainer: '#editor' },
    keyboard: { bind: false },
    elementTemplates: { engines: { camundaDesktopModeler: '5.40.0' } },
  });

  const templateErrors = [];
  modeler.on('elementTemplates.errors', (event) => {
    templateErrors.push(...event.errors.map((e) => String(e.message || e)));
    console.warn('Element templates errors', event.errors);
  });

  let templates = [];
  let lastReports = [];
  const problems = document.getElementById('problems');

  async function lint() {
    const linter = new Linter({
      modeler: 'desktop',
      type: 'cloud',
      plugins: [...getPlugins('lintRules.cloud-bpmn'), CloudElementTemplatesLinterPlugin(templates)],
    });
    lastReports = await linter.lint(modeler.getDefinitions());
    modeler.get('linting').setErrors(lastReports);
    renderProblems(problems, lastReports);
    return lastReports;
  }

  // The Modeler re-lints shortly after every change (LintingHelper); tests call lint() to wait for it.
  let scheduled = null;
  modeler.on('commandStack.changed', () => {
    clearTimeout(scheduled);
    scheduled = setTimeout(() => lint().catch((e) => console.error(e)), 300);
  });

  return {
    modeler,
    templateErrors,
    getPlugins,
    lint,
    get reports() {
      return lastReports;
    },
    setTemplates(next) {
      templates = next;
      modeler.get('elementTemplatesLoader').setTemplates(next);
    },
    async importXML(xml) {
      const result = await modeler.importXML(xml);
      await lint();
      return { warnings: result.warnings.map((w) => String(w.message || w)) };
    },
    async exportXML() {
      return (await modeler.saveXML({ format: true })).xml;
    },
    planes() {
      return modeler
        .get('canvas')
        .getRootElements()
        .map((root) => root.id);
    },
    measurePlane(rootId) {
      return measurePlane(modeler, rootId);
    },
    /** Shows a plane alone, zoomed to fit, in a viewport sized to it; returns the viewport size wanted. */
    showPlane(rootId) {
      const canvas = modeler.get('canvas');
      canvas.setRootElement(modeler.get('elementRegistry').get(rootId));
      document.body.classList.add('e2e-canvas-only');
      const inner = canvas.viewbox().inner;
      return { width: Math.ceil(inner.width) + 120, height: Math.ceil(inner.height) + 140 };
    },
    fitPlane() {
      const canvas = modeler.get('canvas');
      canvas.resized();
      canvas.zoom('fit-viewport', 'auto');
    },
    showEditor() {
      document.body.classList.remove('e2e-canvas-only');
      modeler.get('canvas').resized();
    },
    expandPanelGroups,
    inspectPanel,
    describeElements(ids) {
      return describeElements(modeler, ids);
    },
    openPopupMenu(elementId, providerId, title) {
      return openPopupMenu(modeler, elementId, providerId, title);
    },
    /** Zooms so that these elements fill the canvas right of the palette; clears the selection so no context pad covers them. */
    zoomTo(ids) {
      modeler.get('selection').select(null);
      const registry = modeler.get('elementRegistry');
      const canvas = modeler.get('canvas');
      // Roots have no bounds; they never decide the zoom.
      const elements = ids.map((id) => registry.get(id)).filter((e) => e && e.parent);
      const xs = elements.flatMap((e) => (e.waypoints ? e.waypoints.map((p) => p.x) : [e.x, e.x + e.width]));
      const ys = elements.flatMap((e) => (e.waypoints ? e.waypoints.map((p) => p.y) : [e.y, e.y + e.height]));
      const margin = 60;
      const paletteWidth = 120;
      const box = { x: Math.min(...xs) - margin - paletteWidth, y: Math.min(...ys) - margin, width: Math.max(...xs) - Math.min(...xs) + 2 * margin + paletteWidth, height: Math.max(...ys) - Math.min(...ys) + 2 * margin };
      const size = canvas.getSize();
      const scale = Math.min(1, size.width / box.width, size.height / box.height);
      canvas.viewbox({ x: box.x - (size.width / scale - box.width) / 2, y: box.y - (size.height / scale - box.height) / 2, width: size.width / scale, height: size.height / scale });
    },
  };
}

window.e2eEditor = start().then(
  (editor) => {
    window.editor = editor;
    return editor;
  },
  (error) => {
    window.e2eStartError = String((error && error.stack) || error);
    throw error;
  },
);
