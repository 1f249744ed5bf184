/**
 * Plans the upgrade of one element from an old version of a template to a new one: which value
 * every property of the new version gets, and what the analyst must hear about it. Pure, so the
 * Modeler command and `npm run upgrade:bpmn` decide exactly alike.
 *
 * The rule, per property id:
 * - Hidden properties are constants: always the new template's value.
 * - A value the analyst set (different from the old version's default) is kept, unless its
 *   property is gone or its dropdown no longer offers it: then the new default is applied and the
 *   item "needs decision".
 * - A dropdown keeps any value it still offers (as the Modeler's template update does).
 * - Anything else follows the new default; properties new in this version arrive with theirs,
 *   except a new switch that guards a value the element holds (e.g. "Set phase" in front of a
 *   phase the analyst chose): it is turned on, so the value stays.
 */
import type { ElementTemplate, TemplateProperty, TemplatePropertyCondition } from '../../../element-templates/src/template-types';

/** Property values of an element, keyed by template property id. */
export type TemplateValues = Record<string, string>;

/** Why an analyst's value could not simply be carried over. */
export type DecisionReason = 'property-removed' | 'choice-removed';

/** What the upgrade did to one element, property by property. */
export interface UpgradeChanges {
  /** Values the analyst set that the new version keeps. */
  kept: { id: string; value: string }[];
  /** Properties new in this version: the value they arrive with and the template's default. */
  added: { id: string; value: string; default: string }[];
  /** Properties the new version no longer has, whose value was the old default. */
  removed: { id: string; value: string }[];
  /** Default values the new version changed (the analyst had not touched them). */
  updated: { id: string; from: string; to: string }[];
  /** Analyst values the new version cannot keep; `applied` is what the element now has. */
  needsDecision: { id: string; value: string; reason: DecisionReason; applied?: string }[];
}

/** The outcome of planning: what to write and what to tell. */
export interface UpgradePlan {
  /** Value of every property (with an id) of the new version. */
  values: TemplateValues;
  changes: UpgradeChanges;
}

const defaultOf = (property: TemplateProperty): string => String(property.value ?? '');

function conditionHolds(condition: TemplatePropertyCondition, values: Readonly<TemplateValues>): boolean {
  const actual = values[condition.property];
  if ('equals' in condition) return actual === String(condition.equals);
  return actual !== undefined && condition.oneOf.includes(actual);
}

function byId(template: ElementTemplate): Map<string, TemplateProperty> {
  const properties = new Map<string, TemplateProperty>();
  for (const property of template.properties) if (property.id) properties.set(property.id, property);
  return properties;
}

/**
 * Plans the move of an element from `oldTemplate` to `newTemplate` (the same template id).
 * `current` holds the element's values as read through the old version; a missing entry means
 * the property wrote nothing (an optional value left empty, or an inactive condition).
 */
export function planUpgrade(oldTemplate: ElementTemplate, newTemplate: ElementTemplate, current: Readonly<TemplateValues>): UpgradePlan {
  if (oldTemplate.id !== newTemplate.id) throw new Error(`Cannot upgrade ${oldTemplate.id} to another template (${newTemplate.id})`);
  const oldProperties = byId(oldTemplate);
  const newProperties = byId(newTemplate);
  const values: TemplateValues = {};
  const changes: UpgradeChanges = { kept: [], added: [], removed: [], updated: [], needsDecision: [] };

  const currentOf = (old: TemplateProperty, id: string) => current[id] ?? defaultOf(old);
  const isAnalystValue = (old: TemplateProperty, id: string) => old.type !== 'Hidden' && currentOf(old, id) !== defaultOf(old);

  for (const [id, property] of newProperties) {
    const fallback = defaultOf(property);
    const old = oldProperties.get(id);
    if (!old) {
      values[id] = fallback;
      changes.added.push({ id, value: fallback, default: fallback });
      continue;
    }
    const value = currentOf(old, id);
    const analystValue = isAnalystValue(old, id);
    if (property.type === 'Hidden') {
      values[id] = fallback;
      if (value !== fallback) changes.updated.push({ id, from: value, to: fallback });
      continue;
    }
    if (property.choices && !property.choices.some((choice) => choice.value === value)) {
      values[id] = fallback;
      if (analystValue) changes.needsDecision.push({ id, value, reason: 'choice-removed', applied: fallback });
      else changes.updated.push({ id, from: value, to: fallback });
      continue;
    }
    const keep = analystValue || (property.choices !== undefined && current[id] !== undefined);
    values[id] = keep ? value : fallback;
    if (analystValue) changes.kept.push({ id, value });
    else if (values[id] !== value) changes.updated.push({ id, from: value, to: values[id] });
  }

  for (const [id, property] of newProperties) {
    const condition = property.condition;
    if (!condition || !current[id] || conditionHolds(condition, values) || oldProperties.has(condition.property)) continue;
    const switchedOn = 'equals' in condition ? String(condition.equals) : condition.oneOf[0];
    const added = changes.added.find((entry) => entry.id === condition.property);
    if (switchedOn === undefined || !added) continue;
    values[condition.property] = switchedOn;
    added.value = switchedOn;
  }

  // A property whose condition does not hold writes nothing: its default changing is no news.
  const active = (id: string) => {
    const condition = newProperties.get(id)?.condition;
    return !condition || conditionHolds(condition, values);
  };
  changes.updated = changes.updated.filter((entry) => active(entry.id));

  for (const [id, old] of oldProperties) {
    if (newProperties.has(id)) continue;
    const value = currentOf(old, id);
    if (isAnalystValue(old, id)) changes.needsDecision.push({ id, value, reason: 'property-removed' });
    else changes.removed.push({ id, value });
  }
  return { values, changes };
}
