/**
 * Conversions between the gateway protocol and the engine: keys are int64 decimal strings,
 * variables and custom headers are JSON object strings, gRPC status codes follow Zeebe's gateway
 * mapping of rejection types.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { CommandRejection } from '../interpreter/rejection';
import type { ActivatedJob } from '../engine';

/** An error with a gRPC status code, as the gateway answers it. */
export function grpcError(code: status, message: string): ServiceError {
  return Object.assign(new Error(message), { code, details: message, metadata: new Metadata() });
}

/** Parses a key field (int64 as string or number). */
export function parseKey(value: unknown, field: string): number {
  const key = Number(value);
  if (!Number.isSafeInteger(key) || key <= 0) throw grpcError(status.INVALID_ARGUMENT, `Expected ${field} to be a positive key, but was '${String(value)}'`);
  return key;
}

/** Parses a variables document: empty means none; otherwise it must be a JSON object. */
export function parseVariables(value: unknown, field = 'variables'): Record<string, unknown> {
  if (value === undefined || value === null || value === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(value));
  } catch (error) {
    throw grpcError(status.INVALID_ARGUMENT, `Property '${field}' is invalid: Expected document to be valid JSON, but it was invalid: ${(error as Error).message}`);
  }
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw grpcError(status.INVALID_ARGUMENT, `Property '${field}' is invalid: Expected document to be a root level object, but was '${Array.isArray(parsed) ? 'ARRAY' : typeof parsed}'`);
  }
  return parsed as Record<string, unknown>;
}

/** Maps an engine error to the gRPC status Zeebe's gateway uses for the same rejection. */
export function toGrpcError(error: unknown): ServiceError {
  if (error && typeof error === 'object' && 'code' in error && typeof (error as ServiceError).code === 'number' && 'metadata' in error) {
    return error as ServiceError;
  }
  if (error instanceof CommandRejection) {
    const code = {
      NOT_FOUND: status.NOT_FOUND,
      INVALID_STATE: status.FAILED_PRECONDITION,
      INVALID_ARGUMENT: status.INVALID_ARGUMENT,
      ALREADY_EXISTS: status.ALREADY_EXISTS,
      PROCESSING_ERROR: status.INTERNAL,
    }[error.type];
    return grpcError(code, error.message);
  }
  return grpcError(status.INTERNAL, `Unexpected error: ${(error as Error)?.message ?? String(error)}`);
}

/** The wire form of an activated job. */
export function toWireJob({ job, variables }: ActivatedJob): Record<string, unknown> {
  return {
    key: String(job.key),
    type: job.type,
    processInstanceKey: String(job.processInstanceKey),
    bpmnProcessId: job.bpmnProcessId,
    processDefinitionVersion: job.processDefinitionVersion,
    processDefinitionKey: String(job.processDefinitionKey),
    elementId: job.elementId,
    elementInstanceKey: String(job.elementInstanceKey),
    customHeaders: JSON.stringify(job.customHeaders),
    worker: job.worker,
    retries: job.retries,
    deadline: String(job.deadline),
    variables: JSON.stringify(variables),
    tenantId: job.tenantId,
  };
}
