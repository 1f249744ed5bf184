/**
 * Reads a job-contract field: its template metadata (which may sit on the field or inside an
 * optional / nullable wrapper, depending on where `.meta()` was called), whether it may be absent,
 * and its enum choices.
 */
import type { z } from 'zod';
import type { TemplateFieldMeta } from '../../connector-runtime/src/jobs/job-contract';

/** What the generator needs to know about one field. */
export interface FieldInfo {
  readonly key: string;
  readonly meta: TemplateFieldMeta;
  readonly description: string | undefined;
  /** True when the variable or header may be absent (optional, nullable or defaulted). */
  readonly optional: boolean;
  /** Enum values when the field is an enum, else undefined. */
  readonly choices: readonly string[] | undefined;
}

type ZodDef = { type: string; innerType?: z.ZodType; entries?: Record<string, string | number> };

function defOf(schema: z.ZodType): ZodDef {
  return (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
}

const wrapperTypes = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch']);
const optionalWrapperTypes = new Set(['optional', 'nullable', 'default', 'prefault']);

/** Describes the field `key` of a contract object; throws when it has no template metadata. */
export function readField(key: string, schema: z.ZodType): FieldInfo {
  let current: z.ZodType | undefined = schema;
  let meta: TemplateFieldMeta | undefined;
  let description: string | undefined;
  let optional = false;
  while (current) {
    const own = current.meta();
    meta ??= own?.template;
    description ??= own?.description;
    const def = defOf(current);
    if (!wrapperTypes.has(def.type)) break;
    if (optionalWrapperTypes.has(def.type)) optional = true;
    current = def.innerType;
  }
  if (!meta) throw new Error(`field "${key}" has no template metadata (.meta({ template }))`);
  const innerDef = current ? defOf(current) : undefined;
  const choices = innerDef?.type === 'enum' && innerDef.entries ? Object.values(innerDef.entries).map(String) : undefined;
  return { key, meta, description, optional, choices };
}

/** Describes every field of a contract object, in declaration order. */
export function readFields(object: z.ZodObject): FieldInfo[] {
  return Object.entries(object.shape).map(([key, schema]) => readField(key, schema as z.ZodType));
}
