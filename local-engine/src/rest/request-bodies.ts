/**
 * The request bodies of the REST v2 subset, parsed once at the edge with zod (shapes from the
 * Orchestration Cluster API's OpenAPI: `SearchQueryRequest`, `SearchQueryPageRequest`, the
 * advanced filter properties, `UserTaskCompletionRequest`, `UserTaskAssignmentRequest`).
 *
 * A refused body answers 400 naming the property, in Camunda's two voices: a value of the wrong
 * JSON type is one its JSON reader "cannot parse" (title "Bad Request"); a value of the right type
 * that breaks a rule (a limit of 0, an unknown operator, both cursors) is one its validators
 * refuse (title `INVALID_ARGUMENT`, detail "The value for page.limit is '0' but must be ...").
 *
 * A JSON `null` body reads as no body, as Camunda's optional request bodies do; unknown
 * properties are ignored, as Camunda's JSON reader ignores them.
 */
import { z } from 'zod';
import { HttpProblem, httpProblem } from './problem';

/** Camunda's maximum page size (`LimitPagination.limit`, `maximum: 10000`). */
export const maxPageLimit = 10_000;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** The operators of Camunda's advanced filters (string, integer, date-time and enum filters). */
const operators = z.strictObject({
  $eq: scalar.optional(),
  $neq: scalar.optional(),
  $exists: z.boolean().optional(),
  $in: z.array(scalar).optional(),
  $notIn: z.array(scalar).optional(),
  $like: z.string().optional(),
  $gt: scalar.optional(),
  $gte: scalar.optional(),
  $lt: scalar.optional(),
  $lte: scalar.optional(),
});

/** The operators a filter property may use. */
export const operatorNames = Object.keys(operators.shape);

/** One filter property: a value to equal, or advanced operators. */
export type FilterProperty = z.infer<typeof scalar> | z.infer<typeof operators> | null;

const page = z
  .object({
    from: z.int().min(0).optional(),
    limit: z.int().min(1).max(maxPageLimit).optional(),
    after: z.string().optional(),
    before: z.string().optional(),
  })
  .superRefine((p, context) => {
    // Camunda's messages (ErrorMessages.ERROR_SEARCH_BEFORE_AND_AFTER[_AND_FROM]).
    if (p.after !== undefined && p.before !== undefined) context.addIssue({ code: 'custom', message: 'Both after and before cannot be set at the same time', path: [] });
    else if (p.from !== undefined && (p.after !== undefined || p.before !== undefined)) context.addIssue({ code: 'custom', message: 'Both after/before and from cannot be set at the same time', path: [] });
  });

const sortOrder = z
  .string()
  .transform((order) => order.toUpperCase())
  .pipe(z.enum(['ASC', 'DESC']));

const searchRequest = z.object({
  filter: z.record(z.string(), z.union([scalar, z.null(), operators])).nullish(),
  page: page.nullish(),
  sort: z.array(z.object({ field: z.string(), order: sortOrder.nullish() })).nullish(),
});

/** A search request, validated. */
export interface SearchRequest {
  filter: Record<string, FilterProperty>;
  from: number;
  limit: number;
  sort: Array<{ field: string; order: 'ASC' | 'DESC' }>;
}

const completionRequest = z.object({
  variables: z.record(z.string(), z.unknown()).nullish(),
  action: z.string().nullish(),
});

const assignmentRequest = z.object({
  assignee: z.string().nullish(),
  allowOverride: z.boolean().nullish(),
  action: z.string().nullish(),
});

type Issue = z.core.$ZodIssue;

function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : `${text ? '.' : ''}${String(part)}`;
  return text;
}

function jsonType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** Follows a union to the alternative that got furthest, so the detail names the deepest property. */
function deepest(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  // Deeper wins; at the same depth a broken rule (an unknown operator) beats a wrong type.
  const score = (i: Issue) => i.path.length * 2 + (i.code === 'invalid_type' || i.code === 'invalid_union' ? 0 : 1);
  const candidates = issue.errors.map((branch) => branch[0]).filter((i): i is Issue => i !== undefined);
  const best = candidates.reduce((a, b) => (score(b) > score(a) ? b : a), candidates[0]!);
  if (score(best) === 0) return issue;
  return deepest({ ...best, path: [...issue.path, ...best.path] } as Issue);
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const part of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  return value;
}

/** The 400 for one zod issue, in Camunda's wording. */
function problemOf(issue: Issue, body: unknown): HttpProblem {
  const at = deepest(issue);
  const path = pathText(at.path);
  const property = path ? `Request property [${path}]` : 'The request body';
  const invalid = (rule: string) => new HttpProblem(400, 'INVALID_ARGUMENT', `The value for ${path} is '${String(valueAt(body, at.path))}' but must be ${rule}.`);
  switch (at.code) {
    case 'invalid_type':
      if (at.expected === 'int') return httpProblem(400, `${property} cannot be parsed: expected an integer, got ${JSON.stringify(valueAt(body, at.path)) ?? 'nothing'}.`);
      return httpProblem(400, `${property} cannot be parsed: expected ${at.expected === 'record' ? 'object' : at.expected}, got ${jsonType(valueAt(body, at.path))}.`);
    case 'invalid_union': {
      // A filter property may be a value or an object of operators; an operand only a value.
      const isFilterProperty = at.path.length === 2 && at.path[0] === 'filter';
      return httpProblem(400, `${property} cannot be parsed: expected a string, number${isFilterProperty ? ', boolean or an object of operators' : ' or boolean'}, got ${jsonType(valueAt(body, at.path))}.`);
    }
    case 'too_small':
      return invalid(`>= ${String(at.minimum)}`);
    case 'too_big':
      return invalid(`<= ${String(at.maximum)}`);
    case 'invalid_value':
      return invalid(`one of ${at.values.map(String).join(', ')}`);
    case 'unrecognized_keys':
      return new HttpProblem(400, 'INVALID_ARGUMENT', `Unknown operator '${at.keys[0] ?? ''}' in ${path}; use one of ${operatorNames.join(', ')}.`);
    default:
      return new HttpProblem(400, 'INVALID_ARGUMENT', `${at.message}${path ? ` (${path})` : ''}.`);
  }
}

/** Parses a body with a schema; a refused body throws the 400 problem naming the property. */
export function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw problemOf(result.error.issues[0]!, body);
  return result.data;
}

/** Parses the body of a search endpoint. */
export function parseSearchRequest(body: unknown): SearchRequest {
  const request = parse(searchRequest, body);
  return {
    filter: request.filter ?? {},
    from: request.page?.from ?? 0,
    limit: request.page?.limit ?? 100,
    sort: (request.sort ?? []).map((s) => ({ field: s.field, order: s.order ?? 'ASC' })),
  };
}

/** Parses the body of a user task completion: the variables to set (none without a body). */
export function parseCompletionRequest(body: unknown): Record<string, unknown> {
  parse(completionRequest, body);
  // The variables as sent, not zod's copy: a copy would lose a variable named `__proto__`.
  return ((body as { variables?: Record<string, unknown> | null } | null)?.variables ?? {});
}

/** Parses the body of a user task assignment; the body is required, as in Camunda. */
export function parseAssignmentRequest(body: unknown): { assignee: string; allowOverride: boolean } {
  if (body === undefined || body === null) throw httpProblem(400, 'Required request body is missing');
  const request = parse(assignmentRequest, body);
  // Camunda's message (ErrorMessages.ERROR_MESSAGE_EMPTY_ATTRIBUTE).
  if (!request.assignee) throw new HttpProblem(400, 'INVALID_ARGUMENT', 'No assignee provided.');
  return { assignee: request.assignee, allowOverride: request.allowOverride !== false };
}
