/**
 * The body of `POST /v2/process-instances/{processInstanceKey}/modification` (Orchestration
 * Cluster API 8.8, `ProcessInstanceModificationInstruction`: `activateInstructions[{elementId,
 * variableInstructions[{variables, scopeId}], ancestorElementInstanceKey}]`,
 * `terminateInstructions[{elementInstanceKey}]`, `operationReference`), parsed once at the edge.
 * `ancestorElementInstanceKey` is a key or -1 (the default: the existing flow scope instance). A
 * missing value answers 400 `INVALID_ARGUMENT` in Camunda's words ("No elementId provided.").
 * Variables are handed on as sent (not zod's copy, which would lose a variable named `__proto__`).
 */
import { z } from 'zod';
import type { ProcessInstanceModification } from '../interpreter/modification';
import { HttpProblem, httpProblem } from './problem';
import { parse } from './request-bodies';

const key = z.union([z.string(), z.int()]).nullish();

const modification = z.object({
  activateInstructions: z
    .array(
      z.object({
        elementId: z.string().nullish(),
        variableInstructions: z.array(z.object({ variables: z.record(z.string(), z.unknown()).nullish(), scopeId: z.string().nullish() })).nullish(),
        ancestorElementInstanceKey: key,
      }),
    )
    .nullish(),
  terminateInstructions: z.array(z.object({ elementInstanceKey: key })).nullish(),
  operationReference: z.int().nullish(),
});

const missing = (name: string) => new HttpProblem(400, 'INVALID_ARGUMENT', `No ${name} provided.`);

/** A decimal key (string or number); `allowNone` accepts -1 for "none". */
function keyOf(value: string | number, name: string, allowNone: boolean): number | undefined {
  const parsed = typeof value === 'number' ? value : /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (allowNone && parsed === -1) return undefined;
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new HttpProblem(400, 'INVALID_ARGUMENT', `The value for ${name} is '${String(value)}' but must be ${allowNone ? '-1 or ' : ''}a positive key.`);
  }
  return parsed;
}

type RawBody = { activateInstructions?: Array<{ variableInstructions?: Array<{ variables?: Record<string, unknown> | null }> | null }> | null };

/** Parses `ProcessInstanceModificationInstruction` for the process instance of the path. */
export function parseModification(processInstanceKey: number, body: unknown): ProcessInstanceModification {
  if (body === undefined || body === null) throw httpProblem(400, 'Required request body is missing');
  const parsed = parse(modification, body);
  const raw = body as RawBody;
  const activateInstructions = (parsed.activateInstructions ?? []).map((instruction, index) => {
    if (!instruction.elementId) throw missing('elementId');
    const rawAncestor = instruction.ancestorElementInstanceKey;
    const ancestorElementInstanceKey = rawAncestor === undefined || rawAncestor === null ? undefined : keyOf(rawAncestor, 'ancestorElementInstanceKey', true);
    const variableInstructions = (instruction.variableInstructions ?? []).map((variableInstruction, position) => ({
      variables: raw.activateInstructions?.[index]?.variableInstructions?.[position]?.variables ?? {},
      scopeId: variableInstruction.scopeId ?? '',
    }));
    return { elementId: instruction.elementId, ...(ancestorElementInstanceKey === undefined ? {} : { ancestorElementInstanceKey }), variableInstructions };
  });
  const terminateInstructions = (parsed.terminateInstructions ?? []).map((instruction) => {
    const rawKey = instruction.elementInstanceKey;
    if (rawKey === undefined || rawKey === null || rawKey === '') throw missing('elementInstanceKey');
    return { elementInstanceKey: keyOf(rawKey, 'elementInstanceKey', false)! };
  });
  return { processInstanceKey, activateInstructions, terminateInstructions };
}
