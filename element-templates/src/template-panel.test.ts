/**
 * What the Camunda Modeler's properties panel (bpmn-js-element-templates) makes of each generated
 * template: text it renders as HTML, properties it cannot place, dropdowns it would draw blank.
 * The official schema accepts all of these; the panel does not show them as meant.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { templatesDir } from './generate';
import type { ElementTemplate } from './template-types';

const generatedDir = join(templatesDir, 'generated');
const templates = readdirSync(generatedDir)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((file) => JSON.parse(readFileSync(join(generatedDir, file), 'utf8')) as ElementTemplate);

describe('generated element templates in the properties panel', () => {
  it.each(templates.map((template) => [template.id, template] as const))(
    'given %s, when the panel renders its texts, then none contains an angle bracket it would read as a tag',
    (_id, template) => {
      const texts = [
        template.name,
        template.description,
        ...template.groups.map((group) => group.label),
        ...template.properties.flatMap((property) => [property.label, property.description, property.tooltip, ...(property.choices ?? []).map((choice) => choice.name)]),
      ].filter((text): text is string => text !== undefined);
      expect(texts.filter((text) => /[<>]/.test(text))).toEqual([]);
    },
  );

  it.each(templates.map((template) => [template.id, template] as const))(
    'given %s, when the panel groups its properties, then every visible property sits in a declared group',
    (_id, template) => {
      const groups = new Set(template.groups.map((group) => group.id));
      const visible = template.properties.filter((property) => property.type !== 'Hidden');
      const homeless = visible.filter((property) => property.group === undefined || !groups.has(property.group));
      expect(homeless.map((property) => property.id ?? JSON.stringify(property.binding))).toEqual([]);
    },
  );

  it.each(templates.map((template) => [template.id, template] as const))(
    'given %s, when the panel shows it, then at least one property is visible, so its group and values are shown',
    (_id, template) => {
      expect(template.properties.filter((property) => property.type !== 'Hidden').length).toBeGreaterThan(0);
    },
  );

  it.each(templates.map((template) => [template.id, template] as const))(
    'given %s, when the panel draws a dropdown, then it has choices, its value is one of them and no entry is blank',
    (_id, template) => {
      const problems: string[] = [];
      for (const property of template.properties.filter((item) => item.type === 'Dropdown')) {
        const choices = property.choices ?? [];
        const values = choices.map((choice) => choice.value);
        if (choices.length === 0) problems.push(`${property.id}: no choices`);
        if (property.value !== undefined && !values.includes(String(property.value))) problems.push(`${property.id}: value ${String(property.value)} is no choice`);
        if (choices.some((choice) => choice.value === '' || choice.name.trim() === '')) problems.push(`${property.id}: an empty choice`);
        // An optional dropdown gets a blank first entry from the panel, shown wherever the value is unset.
        if (property.optional) problems.push(`${property.id}: optional, so the panel adds a blank entry`);
      }
      expect(problems).toEqual([]);
    },
  );
});
