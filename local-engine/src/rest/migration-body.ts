/**
 * The body of `POST /v2/process-instances/{processInstanceKey}/migration` (Orchestration Cluster
 * API 8.8, `ProcessInstanceMigrationInstruction`: `targetProcessDefinitionKey`,
 * `mappingInstructions[{sourceElementId, targetElementId}]`, `operationReference`), parsed once at
 * the edge. A missing value answers 400 `INVALID_ARGUMENT` in Camunda's words ("No
 * targetProcessDefinitionKey provided.").
 */
import { z } from 'zod';
import type { MappingInstruction } from '../interpreter/migration/migrate-process-instance';
import { HttpProblem, httpProblem } from './problem';
import { parse } from './request-bodies';

const migration = z.object({
  targetProcessDefinitionKey: z.union([z.string(), z.int()]).nullish(),
  mappingInstructions: z.array(z.object({ sourceElementId: z.string().nullish(), targetElementId: z.string().nullish() })).nullish(),
  operationReference: z.int().nullish(),
});

const missing = (name: string) => new HttpProblem(400, 'INVALID_ARGUMENT', `No ${name} provided.`);

/** A validated migration request. */
export interface MigrationBody {
  targetProcessDefinitionKey: number;
  mappingInstructions: MappingInstruction[];
}

/** Parses `ProcessInstanceMigrationInstruction`. */
export function parseMigration(body: unknown): MigrationBody {
  if (body === undefined || body === null) throw httpProblem(400, 'Required request body is missing');
  const parsed = parse(migration, body);
  const rawKey = parsed.targetProcessDefinitionKey;
  if (rawKey === undefined || rawKey === null || rawKey === '') throw missing('targetProcessDefinitionKey');
  const key = typeof rawKey === 'number' ? rawKey : /^\d+$/.test(rawKey) ? Number(rawKey) : Number.NaN;
  if (!Number.isSafeInteger(key) || key <= 0) throw new HttpProblem(400, 'INVALID_ARGUMENT', `The value for targetProcessDefinitionKey is '${String(rawKey)}' but must be a positive key.`);
  if (!parsed.mappingInstructions || parsed.mappingInstructions.length === 0) throw missing('mappingInstructions');
  const mappingInstructions = parsed.mappingInstructions.map((instruction) => {
    if (!instruction.sourceElementId) throw missing('sourceElementId');
    if (!instruction.targetElementId) throw missing('targetElementId');
    return { sourceElementId: instruction.sourceElementId, targetElementId: instruction.targetElementId };
  });
  return { targetProcessDefinitionKey: key, mappingInstructions };
}
