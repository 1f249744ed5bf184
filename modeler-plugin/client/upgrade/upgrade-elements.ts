/**
 * Finds the elements of a diagram that reference an older version of one of our templates and
 * plans each one's upgrade. Works on moddle elements only; applying the plan is the caller's part
 * (a command in the Modeler, a plain write in the CLI).
 */
import type { ElementTemplate } from '../../../element-templates/src/template-types';
import type { TemplateCatalog } from '../templates/template-catalog';
import type { ModdleElement } from '../templates/template-values';
import { readTemplateValues, templateReference } from '../templates/template-values';
import type { UpgradeChanges, UpgradePlan } from './plan-upgrade';
import { planUpgrade } from './plan-upgrade';

/** What the upgrade did to one element. */
export interface ElementUpgrade extends UpgradeChanges {
  elementId: string;
  templateId: string;
  fromVersion: number | undefined;
  toVersion: number;
}

/** An element of ours that could not be upgraded, and why. */
export interface SkippedElement {
  elementId: string;
  templateId: string;
  version: number | undefined;
  reason: string;
}

/** The outcome of upgrading a whole diagram. */
export interface UpgradeReport {
  upgraded: ElementUpgrade[];
  skipped: SkippedElement[];
}

/** One planned element upgrade, ready to apply. */
export interface PlannedUpgrade {
  element: ModdleElement;
  oldTemplate: ElementTemplate;
  newTemplate: ElementTemplate;
  plan: UpgradePlan;
  report: ElementUpgrade;
}

/** Plans the upgrade of every element of ours that is behind its template's current version. */
export function planDiagramUpgrade(elements: Iterable<ModdleElement>, catalog: TemplateCatalog): { planned: PlannedUpgrade[]; skipped: SkippedElement[] } {
  const planned: PlannedUpgrade[] = [];
  const skipped: SkippedElement[] = [];
  for (const element of elements) {
    const reference = templateReference(element);
    if (!reference || !catalog.isOurs(reference.id)) continue;
    const newTemplate = catalog.latest(reference.id);
    if (reference.version === newTemplate.version) continue;
    const elementId = String(element.get('id'));
    const skip = (reason: string) => skipped.push({ elementId, templateId: reference.id, version: reference.version, reason });
    if (reference.version === undefined) {
      skip('no template version on the element: apply the template again in the properties panel');
      continue;
    }
    if (reference.version > newTemplate.version) {
      skip(`version ${reference.version} is newer than this pack's ${newTemplate.version}: update the Fulfillment Pack`);
      continue;
    }
    const oldTemplate = catalog.get(reference.id, reference.version);
    if (!oldTemplate) {
      skip(`version ${reference.version} is not kept in element-templates/versioned, so its values cannot be read`);
      continue;
    }
    const plan = planUpgrade(oldTemplate, newTemplate, readTemplateValues(element, oldTemplate));
    planned.push({
      element,
      oldTemplate,
      newTemplate,
      plan,
      report: { elementId, templateId: reference.id, fromVersion: reference.version, toVersion: newTemplate.version, ...plan.changes },
    });
  }
  return { planned, skipped };
}

/** Every flow element and artifact of a parsed diagram, subprocess contents included. */
export function* allFlowElements(definitions: ModdleElement): Generator<ModdleElement> {
  function* walk(container: ModdleElement): Generator<ModdleElement> {
    for (const child of (container.get('flowElements') as ModdleElement[] | undefined) ?? []) {
      yield child;
      if (child.$instanceOf('bpmn:SubProcess')) yield* walk(child);
    }
  }
  for (const root of (definitions.get('rootElements') as ModdleElement[] | undefined) ?? []) {
    if (root.$instanceOf('bpmn:Process')) yield* walk(root);
  }
}
