/**
 * The shape of a job contract (docs/architecture.md §3): one zod schema per side of a job (input variables,
 * custom headers, output variables) with the element-template metadata written beside each field
 * through zod 4's `.meta({ template: ... })`. The same object validates variables at run time and
 * generates the Camunda 8 element template, so the two cannot drift apart.
 */
import type { z } from 'zod';

/** Where a field lives on the BPMN element: an input mapping, a custom header or an output mapping. */
export type TemplateBindingKind = 'input' | 'header' | 'output';

/**
 * How the properties panel edits a value: `required` and `optional` are Camunda's FEEL modes;
 * `static` is a plain value (a dropdown when the field is an enum).
 */
export type TemplateFeelMode = 'required' | 'optional' | 'static';

/** Property groups shared by every block, in the order the properties panel shows them. */
export const templateGroups = [
  { id: 'task', label: 'Fulfillment task' },
  { id: 'context', label: 'Order context' },
  { id: 'decision', label: 'Manual decision' },
  { id: 'policy', label: 'Policy' },
  { id: 'routing', label: 'Result routing' },
  { id: 'message', label: 'Message' },
  { id: 'timer', label: 'Timer' },
  { id: 'form', label: 'Form' },
  { id: 'job', label: 'Job' },
] as const;
/** Id of one of the {@link templateGroups}. */
export type TemplateGroupId = (typeof templateGroups)[number]['id'];

/** Shows a property only when another property has a given value (Camunda template `condition`). */
export type TemplateCondition =
  | { readonly property: string; readonly equals: string | boolean }
  | { readonly property: string; readonly oneOf: readonly string[] };

/**
 * Template metadata of one field. Everything not given is derived from the zod schema: the
 * binding name is the field's key, enums become dropdowns, optional fields become optional
 * mappings.
 */
export interface TemplateFieldMeta {
  /** Which kind of binding the field becomes; must match the schema it sits in (a test checks). */
  readonly binding: TemplateBindingKind;
  /** Label in the properties panel. */
  readonly label: string;
  /** Tooltip; the field's `description` is used when absent. */
  readonly tooltip?: string;
  readonly group: TemplateGroupId;
  /** FEEL mode; inputs default to `required`, headers and outputs to `static`. */
  readonly feel?: TemplateFeelMode;
  /** `false` hides the property (type `Hidden`): the value is part of the contract, not a choice. */
  readonly editable?: boolean;
  /**
   * Default value. Input: the FEEL source expression (default `=<key>`). Header: the header value.
   * Output: the process variable the result is written to (default `<key>`).
   */
  readonly value?: string | boolean;
  readonly condition?: TemplateCondition;
}

declare module 'zod' {
  interface GlobalMeta {
    /** Element-template metadata of a job-contract field (see {@link TemplateFieldMeta}). */
    template?: TemplateFieldMeta;
  }
}

/** Template-level metadata of a job's building block. */
export interface JobTemplateInfo {
  /** Element template id; also the generated file's name. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Camunda docs or our modeling guide page for the block. */
  readonly documentationRef?: string;
  /** Default job retries offered in the template (editable). */
  readonly retries: number;
  /**
   * Whether the block may carry a compensation boundary (its effect is reversible, seed §16).
   * The `compensation-only-on-compensatable` lint rule reads this through the generated job list.
   */
  readonly compensatable: boolean;
}

/** A job type's full contract. */
export interface JobContract<
  T extends string = string,
  I extends z.ZodObject = z.ZodObject,
  H extends z.ZodObject = z.ZodObject,
  O extends z.ZodObject = z.ZodObject,
> {
  /** The Zeebe job type (`zeebe:taskDefinition type`), one of seed §23's worker names. */
  readonly type: T;
  readonly input: I;
  readonly headers: H;
  readonly output: O;
  readonly template: JobTemplateInfo;
}

/** Keeps the literal types of a contract while checking it against {@link JobContract}. */
export function defineJobContract<
  const T extends string,
  I extends z.ZodObject,
  H extends z.ZodObject,
  O extends z.ZodObject,
>(contract: JobContract<T, I, H, O>): JobContract<T, I, H, O> {
  return contract;
}
