/**
 * The ModifyProcessInstance command as both protocols carry it (gRPC `ModifyProcessInstanceRequest`,
 * REST `ProcessInstanceModificationInstruction`), already parsed at the edge: keys as numbers,
 * variables as objects.
 */

/** Variables to create in one scope while an element is activated. */
export interface VariableInstruction {
  variables: Record<string, unknown>;
  /** The element whose instance gets the variables; empty for the process instance (global scope). */
  scopeId: string;
}

/** An element to activate. */
export interface ActivateInstruction {
  elementId: string;
  /**
   * The flow scope instance (or an ancestor of it) to activate the element in; undefined (the
   * protocols' -1) to use the existing instance of each flow scope, or to create one when none exists.
   */
  ancestorElementInstanceKey?: number;
  variableInstructions: VariableInstruction[];
}

/** An element instance to terminate. */
export interface TerminateInstruction {
  elementInstanceKey: number;
}

/** A whole modification: applied completely, or rejected with nothing changed. */
export interface ProcessInstanceModification {
  processInstanceKey: number;
  activateInstructions: ActivateInstruction[];
  terminateInstructions: TerminateInstruction[];
}
