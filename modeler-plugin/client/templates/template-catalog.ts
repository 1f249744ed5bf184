/**
 * Our element templates by id and version. The plugin bundle and the upgrade CLI both build one
 * from the generated templates (the current versions) and the versioned ones (older versions kept
 * so that diagrams made with them can be read and upgraded).
 */
import type { ElementTemplate } from '../../../element-templates/src/template-types';

/** Every template id of the pack starts with this; other templates are never touched. */
export const ourTemplatePrefix = 'fulfillment-pack.';

/** Read-only lookup over a set of template versions. */
export class TemplateCatalog {
  private readonly versions = new Map<string, Map<number, ElementTemplate>>();

  constructor(templates: Iterable<ElementTemplate>) {
    for (const template of templates) {
      const byVersion = this.versions.get(template.id) ?? new Map<number, ElementTemplate>();
      byVersion.set(template.version, template);
      this.versions.set(template.id, byVersion);
    }
  }

  /** True when the id is one of our templates (whatever its version). */
  isOurs(id: string | undefined): id is string {
    return id !== undefined && id.startsWith(ourTemplatePrefix) && this.versions.has(id);
  }

  /** The highest version of a template; throws on an unknown id, which is a bug in a block recipe. */
  latest(id: string): ElementTemplate {
    const byVersion = this.versions.get(id);
    if (!byVersion) throw new Error(`Unknown element template ${id}`);
    return byVersion.get(Math.max(...byVersion.keys()))!;
  }

  /** One version of a template, or undefined when it was never kept. */
  get(id: string, version: number): ElementTemplate | undefined {
    return this.versions.get(id)?.get(version);
  }

  /** Every template version, current ones and kept ones. */
  all(): ElementTemplate[] {
    return [...this.versions.values()].flatMap((byVersion) => [...byVersion.values()]);
  }
}
