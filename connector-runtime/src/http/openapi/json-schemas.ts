/**
 * zod 4 schemas as OpenAPI 3.1 Schema Objects, through zod's own `z.toJSONSchema` (JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1). Two things the converter leaves are fixed here:
 * - a recursive schema (`z.json()`) comes back with local `$defs` and `#/$defs/...` refs, which in
 *   an OpenAPI document would resolve against the document root; they are hoisted into
 *   `components.schemas` and the refs rewritten, one component per distinct definition;
 * - job-contract fields carry element-template metadata (`.meta({ template })`), which is not
 *   JSON Schema: it is dropped, its label kept as the field's `title`.
 */
import { z } from 'zod';

/** A JSON Schema (2020-12) object as OpenAPI 3.1 holds it. */
export type JsonSchema = Record<string, unknown>;

/** Which side of a schema is described: what a client sends (`input`) or what it receives (`output`). */
export type SchemaSide = 'input' | 'output';

const localDefPrefix = '#/$defs/';
const componentPrefix = '#/components/schemas/';

function convert(schema: z.ZodType, side: SchemaSide): JsonSchema {
  return z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: side,
    // A transform or a custom check has no JSON Schema; it is described by its input (or as any value).
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      const meta = jsonSchema as JsonSchema;
      const template = meta['template'] as { label?: unknown } | undefined;
      if (template === undefined) return;
      delete meta['template'];
      if (meta['title'] === undefined && typeof template.label === 'string') meta['title'] = template.label;
    },
  }) as JsonSchema;
}

/** Replaces every `$ref` of `value` (deeply, in place) by what `rename` maps it to. */
function rewriteRefs(value: unknown, rename: (ref: string) => string): void {
  if (Array.isArray(value)) {
    for (const item of value) rewriteRefs(item, rename);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const object = value as JsonSchema;
  for (const [key, member] of Object.entries(object)) {
    if (key === '$ref' && typeof member === 'string') object[key] = rename(member);
    else rewriteRefs(member, rename);
  }
}

const componentName = (text: string): string => text.replace(/[^A-Za-z0-9._-]/g, '_');

/** A definition's content with its references to itself made independent of its local name. */
function canonicalDefinition(local: string, def: JsonSchema): string {
  return JSON.stringify(def).split(`"${localDefPrefix}${local}"`).join('"#self"');
}

/** Recursive schemas the converter hoists, by the name their component gets (any JSON value: `z.json()`). */
const wellKnownDefinitions: Record<string, z.ZodType> = { JsonValue: z.json() };

function wellKnownNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const [name, schema] of Object.entries(wellKnownDefinitions)) {
    const defs = (convert(z.object({ value: schema }), 'output')['$defs'] ?? {}) as Record<string, JsonSchema>;
    for (const [local, def] of Object.entries(defs)) names.set(canonicalDefinition(local, def), name);
  }
  return names;
}

/**
 * Collects the schemas of one document: `inline` converts a schema for use in place, `component`
 * names it under `components.schemas` and answers a `$ref`; `components()` is everything named.
 */
export class SchemaCollector {
  private readonly named = new Map<string, JsonSchema>();
  private readonly sources = new Map<string, z.ZodType>();
  private readonly wellKnown = wellKnownNames();
  // A self-contained definition (one that refers to nothing but itself) seen before, by content.
  private readonly byContent = new Map<string, string>();

  /** The schema of `schema` seen from `side`, with recursive parts hoisted under `hint`-based names. */
  inline(schema: z.ZodType, side: SchemaSide, hint: string): JsonSchema {
    const json = convert(schema, side);
    delete json['$schema'];
    const defs = (json['$defs'] ?? {}) as Record<string, JsonSchema>;
    delete json['$defs'];

    const renames = new Map<string, string>();
    const fresh: [string, JsonSchema][] = [];
    for (const [local, def] of Object.entries(defs)) {
      const content = canonicalDefinition(local, def);
      const selfContained = !content.includes(`"${localDefPrefix}`);
      const known = selfContained ? this.byContent.get(content) : undefined;
      if (known !== undefined) {
        renames.set(local, known);
        continue;
      }
      const wellKnown = selfContained ? this.wellKnown.get(content) : undefined;
      const name = this.freeName(componentName(wellKnown ?? (local.startsWith('__') ? `${hint}.${local.replace(/^_+/, '')}` : local)));
      renames.set(local, name);
      if (selfContained) this.byContent.set(content, name);
      fresh.push([name, def]);
      this.named.set(name, {}); // reserved until filled below, so two fresh names never collide
    }
    const rename = (ref: string): string => {
      if (!ref.startsWith(localDefPrefix)) return ref;
      const target = renames.get(ref.slice(localDefPrefix.length));
      return target === undefined ? ref : `${componentPrefix}${target}`;
    };
    rewriteRefs(json, rename);
    for (const [name, def] of fresh) {
      rewriteRefs(def, rename);
      this.named.set(name, def);
    }
    return json;
  }

  /** Names `schema` as component `name` (once) and answers a reference to it. */
  component(name: string, schema: z.ZodType, side: SchemaSide): JsonSchema {
    const known = this.sources.get(name);
    if (known !== undefined && known !== schema) throw new Error(`schema component ${name} is named for two different schemas`);
    if (known === undefined) {
      if (this.named.has(name)) throw new Error(`schema component ${name} clashes with a hoisted definition`);
      this.sources.set(name, schema);
      this.named.set(name, {});
      this.named.set(name, this.inline(schema, side, name));
    }
    return { $ref: `${componentPrefix}${name}` };
  }

  /** Every named schema, sorted by name. */
  components(): Record<string, JsonSchema> {
    return Object.fromEntries([...this.named.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  private freeName(base: string): string {
    let name = base;
    for (let n = 2; this.named.has(name); n += 1) name = `${base}${n}`;
    return name;
  }
}
