/**
 * A command the engine refuses, with Zeebe's rejection types so the gateway can answer with the
 * same gRPC status codes as Zeebe's gateway (NOT_FOUND, FAILED_PRECONDITION, ...).
 */

/** Zeebe's rejection types. */
export type RejectionType = 'NOT_FOUND' | 'INVALID_STATE' | 'INVALID_ARGUMENT' | 'ALREADY_EXISTS' | 'PROCESSING_ERROR';

/** A rejected command. */
export class CommandRejection extends Error {
  /** Stable code: `ENGINE.<rejection type>`. */
  readonly code: string;
  constructor(
    readonly type: RejectionType,
    message: string,
  ) {
    super(message);
    this.name = 'CommandRejection';
    this.code = `ENGINE.${type}`;
  }
}
