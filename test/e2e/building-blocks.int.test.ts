/**
 * The Modeler plug-in's building blocks, used the way an analyst uses them: the plug-in is built
 * (`npm run build:plugin`) and its client script loaded into the e2e editor before the editor is
 * created, exactly as Camunda Modeler loads plug-ins. Each block is inserted after a task, checked
 * (elements, current template versions, wiring), undone in one step, redone, exported and
 * screenshotted. A process built only from blocks must lint clean with the repository's bpmnlint
 * configuration and run to completion on the local engine with the scripted workers. Deleting the
 * timeout of an await-callback block must show our lint rule in the Problems panel.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FulfillmentPhase } from '../../connector-runtime/src/domain/vocabulary';
import { startHarness, type Harness } from '../../local-engine/test/harness';
import { ProcessProbe } from '../process/process-probe';
import { ScriptedDomain } from '../process/scripted-domain';
import { startScriptedWorkers, type ScriptedWorkers } from '../process/scripted-workers';
import { launchBrowser } from './harness/browser';
import { builtPlugin, openEditor, type Editor, type ElementSummary } from './harness/editor';
import { e2eCacheDir, repoRoot, screenshotFile } from './harness/paths';

const run = promisify(execFile);

/** The blocks of the plug-in's contract, in palette order. */
const blockIds = ['execute-task', 'await-callback', 'manual-task', 'fallout-repair', 'compensation', 'phase'] as const;
type BlockId = (typeof blockIds)[number];

/** Current version of every template (`element-templates/versions.json`). */
const currentVersions = JSON.parse(await readFile(path.join(repoRoot, 'element-templates/versions.json'), 'utf8')) as Record<string, { version: number }>;

const processId = 'Process_blocks';

/** A Camunda 8.8 process with a start event and the task the blocks are appended to. */
const anchorDiagram = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_blocks" targetNamespace="http://bpmn.io/schema/bpmn" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0">
  <bpmn:process id="${processId}" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="Order accepted"><bpmn:outgoing>Flow_ToAnchor</bpmn:outgoing></bpmn:startEvent>
    <bpmn:task id="Task_Anchor" name="Previous step"><bpmn:incoming>Flow_ToAnchor</bpmn:incoming></bpmn:task>
    <bpmn:sequenceFlow id="Flow_ToAnchor" sourceRef="StartEvent_1" targetRef="Task_Anchor" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_blocks">
    <bpmndi:BPMNPlane id="Plane_blocks" bpmnElement="${processId}">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="152" y="182" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Task_Anchor_di" bpmnElement="Task_Anchor"><dc:Bounds x="240" y="160" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_ToAnchor_di" bpmnElement="Flow_ToAnchor"><di:waypoint x="188" y="200" /><di:waypoint x="240" y="200" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;

/** An empty Camunda 8.8 process, for the process built only from blocks. */
const emptyDiagram = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_phase_from_blocks" targetNamespace="http://bpmn.io/schema/bpmn" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0">
  <bpmn:process id="phase-from-blocks" name="Phase from blocks" isExecutable="true" />
  <bpmndi:BPMNDiagram id="Diagram_phase"><bpmndi:BPMNPlane id="Plane_phase" bpmnElement="phase-from-blocks" /></bpmndi:BPMNDiagram>
</bpmn:definitions>`;

let browser: Browser;
let editor: Editor;
let buildOutput = '';

beforeAll(async () => {
  try {
    buildOutput = (await run('npm', ['run', 'build:plugin'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm run build:plugin failed: ${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
  }
  browser = await launchBrowser();
  editor = await openEditor(browser, 'building-blocks', [builtPlugin()]);
});

afterAll(async () => {
  await editor?.close();
  await browser?.close();
});

/** Imports a diagram; no warnings expected. */
async function load(xml: string): Promise<void> {
  const { warnings } = await editor.editor.evaluate((e, diagram) => e.importXML(diagram), xml);
  expect(warnings).toEqual([]);
}

/** Ids of every non-label element on the canvas. */
function elementIds(): Promise<string[]> {
  return editor.editor.evaluate((e) =>
    e.modeler
      .get('elementRegistry')
      .filter((element) => element.type !== 'label')
      .map((element) => element.id)
      .sort(),
  );
}

/** Inserts a block through the plug-in's service; the ids it returned and the command-stack entries it pushed. */
async function insert(blockId: BlockId, options: { appendTo?: string; position?: { x: number; y: number } }) {
  return editor.editor.evaluate(
    (e, { blockId, appendTo, position }) => {
      const stack = e.modeler.get('commandStack');
      const before = stack._stackIdx;
      const anchor = appendTo ? e.modeler.get('elementRegistry').get(appendTo) : undefined;
      const { elements } = e.modeler.get('fulfillmentBlocks').insert(blockId, { ...(anchor ? { appendTo: anchor } : {}), ...(position ? { position } : {}) });
      const pushed = stack._stack.slice(before + 1, stack._stackIdx + 1);
      return {
        ids: elements.map((element) => element.id),
        entries: [...new Set(pushed.map((action) => action.id))].length,
        commands: pushed.map((action) => action.command),
      };
    },
    { blockId, appendTo: options.appendTo, position: options.position },
  );
}

function describeElements(ids: string[]): Promise<ElementSummary[]> {
  return editor.editor.evaluate((e, list) => e.describeElements(list), ids);
}

/** The elements of one kind: a template id (short, without `fulfillment-pack.`) or a BPMN type. */
function having(elements: ElementSummary[], kind: string): ElementSummary[] {
  return elements.filter((element) => element.template === `fulfillment-pack.${kind}` || element.type === kind);
}

/** Ids of the elements a sequence flow from `fromId` reaches, following flows (and boundary events of what it reaches). */
function reachable(elements: ElementSummary[], fromId: string): Set<string> {
  const seen = new Set<string>([fromId]);
  const queue = [fromId];
  while (queue.length > 0) {
    const current = queue.shift()!;
    const next = [
      ...elements.filter((e) => e.sourceId === current && e.targetId).map((e) => e.targetId!),
      ...elements.filter((e) => e.attachedTo === current).map((e) => e.id),
    ];
    for (const id of next) {
      if (!seen.has(id)) {
        seen.add(id);
        queue.push(id);
      }
    }
  }
  return seen;
}

/** What each block must contain and how it must be wired, on top of the checks every block gets. */
const wiring: Record<BlockId, (elements: ElementSummary[], anchorFlows: ElementSummary[]) => void> = {
  'execute-task': (elements) => {
    const [task] = having(elements, 'execute-fulfillment-task');
    expect(task?.type).toBe('bpmn:ServiceTask');
    expect(task?.jobType).toBe('execute-fulfillment-task');
  },
  'await-callback': (elements) => {
    const [submit] = having(elements, 'submit-external-task-request');
    const [callback] = having(elements, 'await-callback');
    expect(submit?.jobType).toBe('submit-external-task-request');
    expect(callback).toMatchObject({ type: 'bpmn:IntermediateCatchEvent', eventDefinition: 'bpmn:MessageEventDefinition' });
    expect(callback!.messageName).toBeTruthy();
    expect(callback!.correlationKey).toMatch(/^=.*currentTaskId/);
    const timers = elements.filter((e) => e.type === 'bpmn:BoundaryEvent' && e.eventDefinition === 'bpmn:TimerEventDefinition');
    const timeout = timers.find((t) => t.timerDuration === '=taskTimeout');
    expect(timeout, `timer boundaries: ${JSON.stringify(timers)}`).toBeDefined();
    expect(timeout!.cancelActivity).toBe(true);
    // The timer guards the wait: it sits on the callback's wait (the catch's subprocess).
    expect([callback!.id, callback!.parentId]).toContain(timeout!.attachedTo);
    const [openFallout] = having(elements, 'open-fulfillment-fallout');
    expect(openFallout, 'open-fulfillment-fallout task').toBeDefined();
    expect(reachable(elements, timeout!.id).has(openFallout!.id), 'the timeout routes to open fallout').toBe(true);
    // A catch inside the block's own subprocess is reached through that subprocess.
    const wait = elements.some((e) => e.id === callback!.parentId) ? callback!.parentId! : callback!.id;
    expect(reachable(elements, submit!.id).has(wait), 'submit leads to the wait').toBe(true);
  },
  'manual-task': (elements) => {
    const [manual] = having(elements, 'manual-task');
    const [decision] = having(elements, 'apply-manual-decision');
    expect(manual?.type).toBe('bpmn:UserTask');
    expect(manual!.formId).toBeTruthy();
    expect(decision?.jobType).toBe('apply-manual-decision');
    expect(reachable(elements, manual!.id).has(decision!.id)).toBe(true);
  },
  'fallout-repair': (elements, anchorFlows) => {
    const [open] = having(elements, 'open-fulfillment-fallout');
    const [decide] = having(elements, 'manual-task');
    const repaired = having(elements, 'fallout-repaired');
    expect(open?.jobType).toBe('open-fulfillment-fallout');
    expect(decide?.formId).toBe('fallout-repair-decision');
    expect(repaired.length).toBeGreaterThan(0);
    for (const wait of repaired) expect(wait.correlationKey).toMatch(/^=/);
    expect(reachable(elements, open!.id).has(decide!.id)).toBe(true);
    // RETRY goes back to the task that fell out (the one the block was appended to).
    const retry = anchorFlows.find((flow) => flow.targetId === 'Task_Anchor' && flow.sourceId !== 'StartEvent_1');
    expect(retry, 'a flow back to the task that fell out').toBeDefined();
    expect(retry!.condition).toMatch(/RETRY/);
  },
  compensation: (elements) => {
    const [boundary] = elements.filter((e) => e.eventDefinition === 'bpmn:CompensateEventDefinition');
    const [handler] = having(elements, 'execute-compensation-task');
    expect(boundary?.attachedTo).toBe('Task_Anchor');
    expect(handler?.isForCompensation).toBe(true);
    expect(handler?.jobType).toBe('execute-compensation-task');
    const association = elements.find((e) => e.type === 'bpmn:Association' && e.sourceId === boundary!.id);
    expect(association?.targetId).toBe(handler!.id);
  },
  phase: (elements) => {
    const subprocesses = elements.filter((e) => e.type === 'bpmn:SubProcess');
    const loop = subprocesses.find((s) => s.multiInstance);
    expect(loop?.multiInstance).toEqual({ sequential: false, inputCollection: '=readyTaskIds' });
    const [load] = having(elements, 'load-fulfillment-plan');
    const [execute] = having(elements, 'execute-fulfillment-task');
    expect(load?.jobType).toBe('load-fulfillment-plan');
    expect(execute?.parentId).toBe(loop!.id);
    expect(reachable(elements, load!.id).has(loop!.id)).toBe(true);
    // The loop repeats: the multi-instance flows back to before the load.
    expect(reachable(elements, loop!.id).has(load!.id)).toBe(true);
  },
};

describe('Fulfillment Pack plug-in in the editor', () => {
  it('given the built plug-in, when the editor starts, then its bpmn-js module and lint rules are registered and the palette offers every block', async () => {
    expect(buildOutput).toBeDefined();
    await load(anchorDiagram);

    const registered = await editor.editor.evaluate((e) => ({
      modules: e.getPlugins('bpmn.cloud.modeler.additionalModules').length,
      lintRules: e.getPlugins('lintRules.cloud-bpmn').length,
      blocks: e.modeler.get('fulfillmentBlocks').list().map((block) => block.id),
      upgradeAction: e.modeler.get('editorActions').isRegistered('fulfillment.upgradeBlocks'),
    }));
    const palette = await editor.page.locator('.djs-palette [data-action^="fulfillment-block."]').evaluateAll((entries) =>
      entries.map((entry) => (entry as unknown as { dataset: { action: string } }).dataset.action),
    );
    await editor.page.locator('.djs-palette').screenshot({ path: await screenshotFile('blocks-palette.png') });

    expect(registered).toEqual({ modules: 1, lintRules: 1, blocks: [...blockIds], upgradeAction: true });
    expect(palette).toEqual(blockIds.map((id) => `fulfillment-block.${id}`));
    expect(editor.errors).toEqual([]);
  });

  it('given a task, when its append menu opens, then the Fulfillment group lists every block', async () => {
    await load(anchorDiagram);

    const menu = await editor.editor.evaluate((e) => e.openPopupMenu('Task_Anchor', 'bpmn-append', 'Append element'));
    await editor.page.screenshot({ path: await screenshotFile('blocks-append-menu.png') });
    await editor.editor.evaluate((e) => e.modeler.get('popupMenu').close());

    const group = menu.groups.find((g) => g.name === 'Fulfillment');
    expect(group, `groups: ${JSON.stringify(menu.groups)}`).toBeDefined();
    expect(group!.entries).toEqual(blockIds.map((id) => `fulfillment-block-${id}`));
  });
});

describe('inserting blocks the way an analyst clicks them', () => {
  /** Elements added since `before`, with their templates. */
  async function addedSince(before: string[]): Promise<ElementSummary[]> {
    return describeElements((await elementIds()).filter((id) => !before.includes(id)));
  }

  it('given the palette, when the execute-task entry is clicked, then the block appears as one undoable step', async () => {
    await load(anchorDiagram);
    const before = await elementIds();

    await editor.page.locator('.djs-palette [data-action="fulfillment-block.execute-task"]').click();
    const added = await addedSince(before);
    expect(added.map((e) => e.template)).toContain('fulfillment-pack.execute-fulfillment-task');

    await editor.editor.evaluate((e) => e.modeler.get('commandStack').undo());
    expect(await elementIds()).toEqual(before);
  });

  it('given the canvas, when a block is picked from the create menu, then the menu shows the Fulfillment group and the block is inserted', async () => {
    await load(anchorDiagram);
    const before = await elementIds();

    const groups = await editor.editor.evaluate((e) => {
      const canvas = e.modeler.get('canvas') as unknown as { getRootElement(): unknown };
      const popupMenu = e.modeler.get('popupMenu') as unknown as { open(target: unknown, provider: string, position: { x: number; y: number }, options: unknown): void };
      popupMenu.open(canvas.getRootElement(), 'bpmn-create', { x: 500, y: 300 }, { title: 'Create element', width: 300 });
      return [...document.querySelectorAll('.djs-popup [data-id^="fulfillment-block-"]')].map((entry) => (entry as HTMLElement).dataset.id);
    });
    expect(groups).toEqual(expect.arrayContaining(['fulfillment-block-execute-task', 'fulfillment-block-manual-task', 'fulfillment-block-phase']));
    await editor.page.locator('.djs-popup [data-id="fulfillment-block-manual-task"]').click();

    const added = await addedSince(before);
    expect(added.map((e) => e.template)).toEqual(expect.arrayContaining(['fulfillment-pack.manual-task', 'fulfillment-pack.apply-manual-decision']));
    await editor.editor.evaluate((e) => e.modeler.get('commandStack').undo());
    expect(await elementIds()).toEqual(before);
  });
});

describe.each(blockIds)('block %s', (blockId) => {
  it('given a task, when the block is appended to it, then its elements use current templates and are wired, one undo removes them all and redo brings them back', async () => {
    await load(anchorDiagram);
    const before = await elementIds();

    const inserted = await insert(blockId, { appendTo: 'Task_Anchor' });
    const after = await elementIds();
    const added = after.filter((id) => !before.includes(id));
    await editor.editor.evaluate((e, ids) => e.zoomTo(ids), ['Task_Anchor', ...added]);
    await editor.page.screenshot({ path: await screenshotFile(`block-${blockId}.png`) });

    expect(inserted.commands[0]).toBe('fulfillment.insertBlock');
    expect(inserted.entries).toBe(1);
    expect(inserted.ids.length).toBeGreaterThan(0);
    for (const id of inserted.ids) expect(after).toContain(id);
    const elements = await describeElements(added);
    const templated = elements.filter((e) => e.template);
    expect(templated.length).toBeGreaterThan(0);
    for (const element of templated) {
      expect(`${element.id}: ${element.template}@${element.templateVersion}`).toBe(`${element.id}: ${element.template}@${currentVersions[element.template!]?.version}`);
    }
    const anchorFlows = (await describeElements(after)).filter((e) => e.sourceId === 'Task_Anchor' || e.targetId === 'Task_Anchor');
    wiring[blockId](elements, anchorFlows);

    await editor.editor.evaluate((e) => e.modeler.get('commandStack').undo());
    expect(await elementIds()).toEqual(before);

    await editor.editor.evaluate((e) => e.modeler.get('commandStack').redo());
    expect(await elementIds()).toEqual(after);

    const xml = await editor.editor.evaluate((e) => e.exportXML());
    for (const id of inserted.ids) expect(xml).toContain(`id="${id}"`);
    expect(editor.errors).toEqual([]);
  });
});

describe('lint rules of the plug-in in the Problems panel', () => {
  it('given an await-callback block, when its timer boundary is deleted, then the Problems panel reports fulfillment/await-callback-has-timeout', async () => {
    await load(anchorDiagram);
    const { ids } = await insert('await-callback', { appendTo: 'Task_Anchor' });
    const rule = 'fulfillment/await-callback-has-timeout';
    const clean = await editor.editor.evaluate((e) => e.lint());
    expect(clean.filter((r) => r.rule === rule)).toEqual([]);

    const added = (await elementIds()).filter((id) => !['StartEvent_1', 'Task_Anchor', 'Flow_ToAnchor'].includes(id));
    const timer = (await describeElements(added)).find((e) => e.timerDuration === '=taskTimeout');
    expect(timer, 'the block has a task-timeout timer').toBeDefined();
    await editor.editor.evaluate((e, id) => {
      const registry = e.modeler.get('elementRegistry');
      e.modeler.get('modeling').removeElements([registry.get(id)!]);
    }, timer!.id);
    const reports = await editor.editor.evaluate((e) => e.lint());
    await editor.editor.evaluate((e, list) => e.zoomTo(list), ids);
    await editor.page.screenshot({ path: await screenshotFile('problems-await-callback-without-timeout.png') });

    expect(reports.filter((r) => r.rule === rule).length).toBeGreaterThan(0);
    expect(await editor.page.locator(`#problems [data-rule="${rule}"]`).count()).toBeGreaterThan(0);
  });
});

/** Selects an element and, in the properties panel, ticks "Set phase" and picks `phase`. */
async function setPhaseInPanel(elementId: string, phase: FulfillmentPhase): Promise<void> {
  await editor.editor.evaluate((e, id) => e.modeler.get('selection').select(e.modeler.get('elementRegistry').get(id)!), elementId);
  const entry = (label: RegExp) => editor.page.locator('#properties [data-entry-id]', { has: editor.page.locator('label', { hasText: label }) });
  await entry(/^Set phase$/).waitFor({ state: 'attached' });
  await editor.editor.evaluate((e) => e.expandPanelGroups());
  const checkbox = entry(/^Set phase$/).locator('input[type=checkbox]');
  if (!(await checkbox.isChecked())) await checkbox.check();
  await entry(/^Phase$/).locator('select').selectOption(phase);
}

describe('a process built only from blocks', () => {
  let harness: Harness | undefined;
  let workers: ScriptedWorkers | undefined;

  afterAll(async () => {
    workers?.close();
    await harness?.close();
  });

  it('given start event, phase block and end event, when exported, linted and run on the engine, then it lints clean and the instance completes with every task executed', async () => {
    await load(emptyDiagram);
    const start = await editor.editor.evaluate((e) => {
      const root = e.modeler.get('canvas').getRootElement();
      const modeling = e.modeler.get('modeling');
      const shape = modeling.createShape(e.modeler.get('elementFactory').createShape({ type: 'bpmn:StartEvent' }), { x: 180, y: 300 }, root);
      modeling.updateLabel(shape, 'Order accepted');
      return shape.id;
    });
    const phase = await insert('phase', { appendTo: start });
    const phaseElements = await describeElements((await elementIds()).filter((id) => id !== start));
    const outer = phaseElements.find((e) => e.type === 'bpmn:SubProcess' && e.parentId === 'phase-from-blocks');
    expect(outer, `phase block elements: ${phase.ids.join(', ')}`).toBeDefined();
    await editor.editor.evaluate(
      (e, { startId, phaseId }) => {
        const registry = e.modeler.get('elementRegistry');
        const modeling = e.modeler.get('modeling');
        const phaseShape = registry.get(phaseId)!;
        const startShape = registry.get(startId)!;
        if (!startShape.outgoing.some((flow) => flow.target === phaseShape)) modeling.connect(startShape, phaseShape);
        const end = modeling.createShape(
          e.modeler.get('elementFactory').createShape({ type: 'bpmn:EndEvent' }),
          { x: phaseShape.x + phaseShape.width + 100, y: phaseShape.y + phaseShape.height / 2 },
          phaseShape.parent!,
        );
        modeling.updateLabel(end, 'Phase completed');
        modeling.connect(phaseShape, end);
      },
      { startId: start, phaseId: outer!.id },
    );
    // As an analyst does after inserting a phase: tick "Set phase" on its tasks and pick the phase.
    const taskPhase: FulfillmentPhase = 'VALIDATION';
    const phased = phaseElements.filter((e) => e.template === 'fulfillment-pack.load-fulfillment-plan' || e.template === 'fulfillment-pack.execute-fulfillment-task');
    expect(phased.length).toBe(2);
    for (const element of phased) await setPhaseInPanel(element.id, taskPhase);
    const configured = await describeElements(phased.map((e) => e.id));
    expect(configured.map((e) => e.headers.phase)).toEqual([taskPhase, taskPhase]);
    await editor.editor.evaluate((e) => e.zoomTo(e.modeler.get('elementRegistry').filter((x) => x.type !== 'label').map((x) => x.id)));
    await editor.page.screenshot({ path: await screenshotFile('blocks-phase-process.png') });
    const xml = await editor.editor.evaluate((e) => e.exportXML());
    const file = path.join(e2eCacheDir, 'phase-from-blocks.bpmn');
    await writeFile(file, xml);

    const lint = await run('npx', ['bpmnlint', file], { cwd: repoRoot }).then(
      (r) => ({ ok: true, output: r.stdout + r.stderr }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    // Soft: a lint finding should not hide whether the process also runs.
    expect.soft(lint.output.trim(), 'bpmnlint output (warnings count too)').toBe('');
    expect.soft(lint.ok).toBe(true);

    harness = await startHarness('e2e_blocks');
    await harness.zeebe.deployResource({ process: Buffer.from(xml), name: 'phase-from-blocks.bpmn' });
    const domain = new ScriptedDomain();
    workers = await startScriptedWorkers(harness, domain);
    const plan = domain.plan({
      tasks: {
        first: { phase: taskPhase, type: 'CHECK_SERVICEABILITY', mode: 'AUTOMATED_SYNC' },
        second: { phase: taskPhase, type: 'RESERVE_RESOURCE', mode: 'AUTOMATED_SYNC', dependsOn: ['first'] },
      },
    });
    const created = await harness.zeebe.createProcessInstance({ bpmnProcessId: 'phase-from-blocks', variables: plan.startVariables });
    const probe = new ProcessProbe(harness, created.processInstanceKey, domain);

    await probe.completed();
    expect(await probe.openWork()).toEqual({ activeElements: [], openUserTasks: [], incidents: [] });
    expect(domain.violations).toEqual([]);
    expect(plan.jobsOf('execute-fulfillment-task').map((job) => job.input.currentTaskId)).toEqual([plan.taskId('first'), plan.taskId('second')]);
    expect([plan.status('first'), plan.status('second')]).toEqual(['COMPLETED', 'COMPLETED']);
  });
});

describe('upgrading fulfillment blocks in the editor', () => {
  it('given a diagram made with version-1 templates, when "Upgrade fulfillment blocks" runs, then every templated element is at its current version, values are kept, one undo reverts it and lint has no outdated template', async () => {
    const fixture = await readFile(path.join(repoRoot, 'modeler-plugin/test/fixtures/v1-diagram.bpmn'), 'utf8');
    await load(fixture);
    const templated = async () => (await describeElements(await elementIds())).filter((e) => e.template?.startsWith('fulfillment-pack.') && e.type !== 'bpmn:Message');
    const before = await templated();
    const outdated = before.filter((e) => e.templateVersion !== currentVersions[e.template!]!.version);
    expect(outdated.length, 'the fixture holds elements on older template versions').toBeGreaterThan(0);
    const rule = 'fulfillment/template-current-version';
    expect((await editor.editor.evaluate((e) => e.lint())).filter((r) => r.rule === rule).length).toBeGreaterThan(0);

    // The menu entry triggers this editor action, as the Modeler passes plug-in menu actions to the active editor.
    const report = await editor.editor.evaluate((e) => {
      const stack = e.modeler.get('commandStack');
      const index = stack._stackIdx;
      const result = e.modeler.get('editorActions').trigger('fulfillment.upgradeBlocks') as { upgraded: { elementId: string; kept: unknown[] }[]; skipped: unknown[] };
      const pushed = stack._stack.slice(index + 1, stack._stackIdx + 1);
      return { upgraded: result.upgraded.map((u) => u.elementId), skipped: result.skipped.length, entries: new Set(pushed.map((action) => action.id)).size };
    });
    expect(report.upgraded.sort()).toEqual(outdated.map((e) => e.id).sort());
    expect(report.skipped).toBe(0);
    expect(report.entries).toBe(1);

    const after = await templated();
    expect(after.filter((e) => e.templateVersion !== currentVersions[e.template!]!.version)).toEqual([]);
    for (const element of before) {
      const upgraded = after.find((e) => e.id === element.id)!;
      expect(upgraded.name, `${element.id} keeps its name`).toBe(element.name);
      for (const [key, value] of Object.entries(element.headers)) expect(upgraded.headers[key], `${element.id} keeps header ${key}`).toBe(value);
    }
    expect((await editor.editor.evaluate((e) => e.lint())).filter((r) => r.rule === rule)).toEqual([]);
    await editor.page.screenshot({ path: await screenshotFile('upgrade-after.png') });

    await editor.editor.evaluate((e) => e.modeler.get('commandStack').undo());
    expect((await templated()).map((e) => `${e.id}@${e.templateVersion}`).sort()).toEqual(before.map((e) => `${e.id}@${e.templateVersion}`).sort());
  });
});
