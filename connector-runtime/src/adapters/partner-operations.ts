/**
 * What each partner system performs (seed §8–§10): the task types it accepts and how it answers.
 * A synchronous operation answers DONE with its result; an asynchronous one answers ACCEPTED and
 * a signed callback naming the request's external correlation id follows. A synchronous operation
 * may still confirm later (`confirmsLater`): shipping answers a scheduled shipment at once and
 * calls back when the delivery is confirmed, with the external correlation id of the request.
 *
 * The HTTP client refuses a task type its system does not perform (a modelling bug), and the
 * simulator plays each partner from this table, so both sides keep one contract.
 */
import type { FulfillmentTaskType } from '../domain/vocabulary';
import { BugError } from '../errors';
import type { PartnerSystem } from './partner-adapter';

/** How a partner answers an operation. */
export interface PartnerOperation {
  /** SYNC: the answer is DONE with a result; ASYNC: the answer is ACCEPTED, a callback follows. */
  readonly mode: 'SYNC' | 'ASYNC';
  /** A SYNC operation whose effect the partner confirms later with a callback (same correlation id). */
  readonly confirmsLater: boolean;
}

const done: PartnerOperation = { mode: 'SYNC', confirmsLater: false };
const accepted: PartnerOperation = { mode: 'ASYNC', confirmsLater: false };
const doneConfirmedLater: PartnerOperation = { mode: 'SYNC', confirmsLater: true };

/** The operations of every partner system, by task type. */
export const partnerOperations: Readonly<Record<PartnerSystem, Readonly<Partial<Record<FulfillmentTaskType, PartnerOperation>>>>> = {
  inventory: { CHECK_SERVICEABILITY: done, RESERVE_RESOURCE: done, RELEASE_RESOURCE: done },
  provisioning: { CREATE_PROVISIONING_REQUEST: accepted, DEACTIVATE_SERVICE: accepted, WAIT_PROVISIONING_COMPLETED: accepted },
  shipping: { SCHEDULE_SHIPMENT: doneConfirmedLater, CANCEL_SHIPMENT: done },
  billing: { ACTIVATE_BILLING: accepted, DEACTIVATE_BILLING: accepted, REVERSE_BILLING_ACTIVATION: done },
  appointment: { SCHEDULE_APPOINTMENT: accepted, CANCEL_APPOINTMENT: done },
  notification: { SEND_CUSTOMER_NOTIFICATION: done },
  // The streaming partner opens, changes and closes a subscription account in one call.
  streaming: { CREATE_PROVISIONING_REQUEST: done, DEACTIVATE_SERVICE: done },
};

/** True when `system` performs `taskType`. */
export function performsOperation(system: PartnerSystem, taskType: string): taskType is FulfillmentTaskType {
  return Object.hasOwn(partnerOperations[system], taskType);
}

/**
 * How `system` answers `taskType`.
 * @throws BugError `PARTNER.UNSUPPORTED_OPERATION` when the system does not perform the task type.
 */
export function partnerOperation(system: PartnerSystem, taskType: FulfillmentTaskType): PartnerOperation {
  const operation = performsOperation(system, taskType) ? partnerOperations[system][taskType] : undefined;
  if (!operation) {
    throw new BugError('PARTNER.UNSUPPORTED_OPERATION', `${system} does not perform ${taskType}`, { system, taskType });
  }
  return operation;
}

/** True when the partner sends a callback after answering the operation (asynchronous or confirmed later). */
export function callsBack(operation: PartnerOperation): boolean {
  return operation.mode === 'ASYNC' || operation.confirmsLater;
}
