/**
 * The gRPC `ModifyProcessInstanceRequest` (the SDK's zeebe.proto) as the engine's modification:
 * int64 keys arrive as decimal strings, an `ancestorElementInstanceKey` of -1 (or 0, the proto
 * default when a client leaves it out) selects no ancestor, each variable instruction's
 * `variables` is a JSON object string and an empty `scopeId` means the process instance.
 * `operationReference` only tags Zeebe's records; the engine writes none, so it is not kept.
 */
import type { ProcessInstanceModification } from '../interpreter/modification';
import { parseKey, parseVariables } from './wire';

type Request = {
  processInstanceKey?: unknown;
  activateInstructions?: Array<{ elementId?: string; ancestorElementInstanceKey?: unknown; variableInstructions?: Array<{ variables?: string; scopeId?: string }> }>;
  terminateInstructions?: Array<{ elementInstanceKey?: unknown }>;
};

/** Parses a ModifyProcessInstanceRequest (keys and variable documents; the engine checks the rest). */
export function parseModificationRequest(request: Record<string, unknown>): ProcessInstanceModification {
  const { processInstanceKey, activateInstructions = [], terminateInstructions = [] } = request as Request;
  return {
    processInstanceKey: parseKey(processInstanceKey, 'processInstanceKey'),
    activateInstructions: activateInstructions.map((instruction) => {
      const ancestor = Number(instruction.ancestorElementInstanceKey ?? -1);
      return {
        elementId: String(instruction.elementId ?? ''),
        ...(ancestor > 0 ? { ancestorElementInstanceKey: parseKey(instruction.ancestorElementInstanceKey, 'ancestorElementInstanceKey') } : {}),
        variableInstructions: (instruction.variableInstructions ?? []).map((v) => ({ variables: parseVariables(v.variables), scopeId: String(v.scopeId ?? '') })),
      };
    }),
    terminateInstructions: terminateInstructions.map((instruction) => ({ elementInstanceKey: parseKey(instruction.elementInstanceKey, 'elementInstanceKey') })),
  };
}
