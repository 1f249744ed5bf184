/**
 * Template versioning from a committed version record (`element-templates/versions.json`).
 *
 * Why a record: a generator that derives versions from file contents alone cannot tell "changed"
 * from "new", and a test that regenerates must reproduce the committed numbers exactly. The record
 * keeps, per template id, the current version and the hash of its content without the version.
 * When the hash of a regenerated template differs, the version goes up by one and the previous
 * generated file is kept as `versioned/<id>-<previous>.json`, so diagrams that still reference it
 * keep working in the Modeler (which matches `zeebe:modelerTemplateVersion`).
 */
import { createHash } from 'node:crypto';
import type { ElementTemplate, UnversionedTemplate } from './template-types';

/** One entry of the version record. */
export interface TemplateVersionEntry {
  version: number;
  contentHash: string;
}

/** The committed version record: template id -> entry, keys sorted. */
export type TemplateVersionRecord = Record<string, TemplateVersionEntry>;

/** What a generation run produces for one template. */
export interface VersionedTemplate {
  template: ElementTemplate;
  /** The previous generated template to keep under `versioned/`, when the content changed. */
  retired?: { version: number; file: string };
}

/** Serialises a template the one way we commit it: two-space indent, trailing newline. */
export function serializeTemplate(template: ElementTemplate): string {
  return `${JSON.stringify(template, null, 2)}\n`;
}

/** Hash of a template's content, which excludes its version number. */
export function contentHash(template: UnversionedTemplate): string {
  return createHash('sha256').update(JSON.stringify(template)).digest('hex');
}

/** Puts the version right after the description (the order the Camunda docs use). */
export function withVersion(template: UnversionedTemplate, version: number): ElementTemplate {
  const { $schema, name, id, description, documentationRef, ...rest } = template;
  return {
    $schema,
    name,
    id,
    description,
    ...(documentationRef === undefined ? {} : { documentationRef }),
    version,
    ...rest,
  };
}

/**
 * Numbers each template against the record. `previousFiles` holds the committed generated file of
 * each id (its text), which is what gets retired when the content changed.
 */
export function assignVersions(
  templates: readonly UnversionedTemplate[],
  record: Readonly<TemplateVersionRecord>,
  previousFiles: ReadonlyMap<string, string>,
): { templates: VersionedTemplate[]; record: TemplateVersionRecord } {
  const nextRecord: TemplateVersionRecord = {};
  const result: VersionedTemplate[] = [];
  for (const template of templates) {
    const hash = contentHash(template);
    const known = record[template.id];
    if (known === undefined) {
      nextRecord[template.id] = { version: 1, contentHash: hash };
      result.push({ template: withVersion(template, 1) });
      continue;
    }
    if (known.contentHash === hash) {
      nextRecord[template.id] = known;
      result.push({ template: withVersion(template, known.version) });
      continue;
    }
    const previous = previousFiles.get(template.id);
    const version = known.version + 1;
    nextRecord[template.id] = { version, contentHash: hash };
    result.push({
      template: withVersion(template, version),
      ...(previous === undefined ? {} : { retired: { version: known.version, file: previous } }),
    });
  }
  const sorted = Object.fromEntries(Object.entries(nextRecord).sort(([a], [b]) => a.localeCompare(b)));
  return { templates: result, record: sorted };
}
