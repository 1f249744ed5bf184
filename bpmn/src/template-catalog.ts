/**
 * Reads the generated element templates (element-templates/generated), the only source the model
 * is built from: an element's bindings and its template version always come from the committed
 * template file.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ElementTemplate } from '../../element-templates/src/template-types';
import type { TemplateLookup } from './scope-builder';

/** Folder of the generated templates. */
export const generatedTemplatesDirectory = fileURLToPath(new URL('../../element-templates/generated', import.meta.url));

/** Every generated template, by id. */
export function loadTemplates(directory = generatedTemplatesDirectory): Map<string, ElementTemplate> {
  const templates = new Map<string, ElementTemplate>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.json')).sort()) {
    const template = JSON.parse(readFileSync(join(directory, file), 'utf8')) as ElementTemplate;
    templates.set(template.id, template);
  }
  return templates;
}

/** A lookup that fails loudly on an unknown id. */
export function templateLookup(templates: ReadonlyMap<string, ElementTemplate>): TemplateLookup {
  return (id) => {
    const template = templates.get(id);
    if (!template) throw new Error(`No generated element template ${id}`);
    return template;
  };
}
