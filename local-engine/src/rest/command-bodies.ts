/**
 * The request bodies of the REST v2 command endpoints, parsed once at the edge (shapes from the
 * Orchestration Cluster API 8.8 OpenAPI document as `@camunda8/orchestration-cluster-api` 8.8.4
 * ships it in its generated types: `ProcessInstanceCreationInstruction`, `JobActivationRequest`,
 * `JobCompletionRequest`, `JobFailRequest`, `JobErrorRequest`, `JobUpdateRequest`,
 * `MessagePublicationRequest`, `MessageCorrelationRequest`, `SignalBroadcastRequest`,
 * `SetVariableRequest`, `ClockPinRequest`).
 *
 * A value of the wrong JSON type answers 400 "Bad Request"; a missing required value or one that
 * breaks a rule answers 400 `INVALID_ARGUMENT` in Camunda's words ("No name provided.", "The value
 * for timeout is '0' but must be > 0."), as `request-bodies.ts` does for the searches. Variables
 * are handed on as sent (not zod's copy, which would lose a variable named `__proto__`).
 */
import { z } from 'zod';
import { HttpProblem, httpProblem } from './problem';
import { parse } from './request-bodies';

const variables = z.record(z.string(), z.unknown()).nullish();
/** A key: Camunda's REST API writes keys as decimal strings (and still reads a JSON number). */
const key = z.union([z.string(), z.int()]).nullish();
const tenantId = z.string().nullish();

const creation = z.object({
  processDefinitionKey: key,
  processDefinitionId: z.string().nullish(),
  processDefinitionVersion: z.int().nullish(),
  variables,
  tenantId,
  startInstructions: z.array(z.object({ elementId: z.string() })).nullish(),
  awaitCompletion: z.boolean().nullish(),
  fetchVariables: z.array(z.string()).nullish(),
  requestTimeout: z.int().nullish(),
});

const activation = z.object({
  type: z.string().nullish(),
  worker: z.string().nullish(),
  timeout: z.int().nullish(),
  maxJobsToActivate: z.int().nullish(),
  fetchVariable: z.array(z.string()).nullish(),
  requestTimeout: z.int().nullish(),
  tenantIds: z.array(z.string()).nullish(),
});

const completion = z.object({ variables, result: z.object({}).loose().nullish() });

const failure = z.object({
  retries: z.int().nullish(),
  errorMessage: z.string().nullish(),
  retryBackOff: z.int().nullish(),
  variables,
});

const error = z.object({ errorCode: z.string().nullish(), errorMessage: z.string().nullish(), variables });

const update = z.object({
  changeset: z.object({ retries: z.int().nullish(), timeout: z.int().nullish() }).nullish(),
});

const publication = z.object({
  name: z.string().nullish(),
  correlationKey: z.string().nullish(),
  timeToLive: z.int().nullish(),
  messageId: z.string().nullish(),
  variables,
  tenantId,
});

const correlation = z.object({ name: z.string().nullish(), correlationKey: z.string().nullish(), variables, tenantId });

const signal = z.object({ signalName: z.string().nullish(), variables, tenantId });

const setVariables = z.object({ variables, local: z.boolean().nullish() });

const clockPin = z.object({ timestamp: z.int().nullish() });

/** Camunda's message for a required value that is missing or blank (ERROR_MESSAGE_EMPTY_ATTRIBUTE). */
function missing(name: string): HttpProblem {
  return new HttpProblem(400, 'INVALID_ARGUMENT', `No ${name} provided.`);
}

/** Camunda's message for a value that breaks a rule (ERROR_MESSAGE_INVALID_ATTRIBUTE_VALUE). */
function invalid(name: string, value: unknown, rule: string): HttpProblem {
  return new HttpProblem(400, 'INVALID_ARGUMENT', `The value for ${name} is '${String(value)}' but must be ${rule}.`);
}

function required(body: unknown): void {
  if (body === undefined || body === null) throw httpProblem(400, 'Required request body is missing');
}

/** The variables of a body as sent (an object, validated by the schema), or none. */
function variablesOf(body: unknown): Record<string, unknown> {
  return (body as { variables?: Record<string, unknown> | null } | null | undefined)?.variables ?? {};
}

function keyOf(value: string | number | null | undefined, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = typeof value === 'number' ? value : /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed <= 0) throw invalid(name, value, 'a positive key');
  return parsed;
}

/** A validated `POST /process-instances`. */
export interface CreationRequest {
  processDefinitionKey?: number;
  processDefinitionId?: string;
  /** -1: the latest version. */
  version: number;
  variables: Record<string, unknown>;
  tenantId?: string;
  startElementIds: string[];
  awaitCompletion: boolean;
  fetchVariables: string[];
  /** 0: the default request timeout. */
  requestTimeout: number;
}

/** Parses `ProcessInstanceCreationInstruction` (by id or by key). */
export function parseCreationRequest(body: unknown): CreationRequest {
  required(body);
  const request = parse(creation, body);
  const processDefinitionKey = keyOf(request.processDefinitionKey, 'processDefinitionKey');
  const processDefinitionId = request.processDefinitionId ?? undefined;
  // Camunda's message (ERROR_MESSAGE_AT_LEAST_ONE_FIELD / ONLY_ONE_FIELD).
  if (processDefinitionKey === undefined && !processDefinitionId) throw new HttpProblem(400, 'INVALID_ARGUMENT', 'At least one of [processDefinitionId, processDefinitionKey] is required.');
  if (processDefinitionKey !== undefined && processDefinitionId) throw new HttpProblem(400, 'INVALID_ARGUMENT', 'Only one of [processDefinitionId, processDefinitionKey] is allowed.');
  return {
    processDefinitionKey,
    processDefinitionId,
    version: request.processDefinitionVersion ?? -1,
    variables: variablesOf(body),
    tenantId: request.tenantId ?? undefined,
    startElementIds: (request.startInstructions ?? []).map((s) => s.elementId),
    awaitCompletion: request.awaitCompletion === true,
    fetchVariables: request.fetchVariables ?? [],
    requestTimeout: Math.max(0, request.requestTimeout ?? 0),
  };
}

/** A validated `POST /jobs/activation`. */
export interface ActivationBody {
  type: string;
  worker: string;
  timeout: number;
  maxJobs: number;
  fetchVariables: string[];
  tenantIds: string[];
  /** < 0: answer at once; 0: the default long poll; > 0: long poll for that long. */
  requestTimeout: number;
}

/** Parses `JobActivationRequest`. */
export function parseActivationRequest(body: unknown): ActivationBody {
  required(body);
  const request = parse(activation, body);
  if (!request.type) throw missing('type');
  if (request.timeout === undefined || request.timeout === null) throw missing('timeout');
  if (request.timeout < 1) throw invalid('timeout', request.timeout, '> 0');
  if (request.maxJobsToActivate === undefined || request.maxJobsToActivate === null) throw missing('maxJobsToActivate');
  if (request.maxJobsToActivate < 1) throw invalid('maxJobsToActivate', request.maxJobsToActivate, '> 0');
  return {
    type: request.type,
    worker: request.worker ?? '',
    timeout: request.timeout,
    maxJobs: request.maxJobsToActivate,
    fetchVariables: request.fetchVariable ?? [],
    tenantIds: request.tenantIds ?? [],
    requestTimeout: request.requestTimeout ?? 0,
  };
}

/** Parses `JobCompletionRequest` (optional body): the variables. */
export function parseJobCompletion(body: unknown): Record<string, unknown> {
  parse(completion, body);
  return variablesOf(body);
}

/** Parses `JobFailRequest` (optional body; retries and back-off default to 0). */
export function parseJobFailure(body: unknown): { retries: number; errorMessage: string; retryBackOff: number; variables: Record<string, unknown> } {
  const request = parse(failure, body);
  const retryBackOff = request.retryBackOff ?? 0;
  if (retryBackOff < 0) throw invalid('retryBackOff', retryBackOff, '>= 0');
  return { retries: request.retries ?? 0, errorMessage: request.errorMessage ?? '', retryBackOff, variables: variablesOf(body) };
}

/** Parses `JobErrorRequest`; the error code is required. */
export function parseJobError(body: unknown): { errorCode: string; errorMessage: string; variables: Record<string, unknown> } {
  required(body);
  const request = parse(error, body);
  if (!request.errorCode) throw missing('errorCode');
  return { errorCode: request.errorCode, errorMessage: request.errorMessage ?? '', variables: variablesOf(body) };
}

/** Parses `JobUpdateRequest`; its changeset names retries, a timeout or both. */
export function parseJobUpdate(body: unknown): { retries?: number; timeout?: number } {
  required(body);
  const { changeset } = parse(update, body);
  const retries = changeset?.retries ?? undefined;
  const timeout = changeset?.timeout ?? undefined;
  if (retries === undefined && timeout === undefined) throw new HttpProblem(400, 'INVALID_ARGUMENT', 'At least one of [retries, timeout] is required.');
  return { retries, timeout };
}

/** Parses `MessagePublicationRequest`; the name is required. */
export function parsePublication(body: unknown): { name: string; correlationKey: string; timeToLive: number; messageId: string; variables: Record<string, unknown>; tenantId?: string } {
  required(body);
  const request = parse(publication, body);
  if (!request.name) throw missing('name');
  const timeToLive = request.timeToLive ?? 0;
  if (timeToLive < 0) throw invalid('timeToLive', timeToLive, '>= 0');
  return { name: request.name, correlationKey: request.correlationKey ?? '', timeToLive, messageId: request.messageId ?? '', variables: variablesOf(body), tenantId: request.tenantId ?? undefined };
}

/** Parses `MessageCorrelationRequest`; the name is required. */
export function parseCorrelation(body: unknown): { name: string; correlationKey: string; variables: Record<string, unknown>; tenantId?: string } {
  required(body);
  const request = parse(correlation, body);
  if (!request.name) throw missing('name');
  return { name: request.name, correlationKey: request.correlationKey ?? '', variables: variablesOf(body), tenantId: request.tenantId ?? undefined };
}

/** Parses `SignalBroadcastRequest`; the signal name is required. */
export function parseSignal(body: unknown): { name: string; variables: Record<string, unknown>; tenantId?: string } {
  required(body);
  const request = parse(signal, body);
  if (!request.signalName) throw missing('signalName');
  return { name: request.signalName, variables: variablesOf(body), tenantId: request.tenantId ?? undefined };
}

/** Parses `SetVariableRequest`; the variables are required. */
export function parseSetVariables(body: unknown): { variables: Record<string, unknown>; local: boolean } {
  required(body);
  const request = parse(setVariables, body);
  if (request.variables === undefined || request.variables === null) throw missing('variables');
  return { variables: variablesOf(body), local: request.local === true };
}

/** Parses `ClockPinRequest`: the instant, in epoch milliseconds. */
export function parseClockPin(body: unknown): number {
  required(body);
  const { timestamp } = parse(clockPin, body);
  if (timestamp === undefined || timestamp === null) throw missing('timestamp');
  if (timestamp < 0) throw invalid('timestamp', timestamp, '>= 0');
  return timestamp;
}

/** Parses a key in a path. */
export function parsePathKey(value: unknown, name: string): number {
  const text = String(value);
  const parsed = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  // the words of `keyParam` in routes.ts, so every path key is refused alike
  if (!Number.isSafeInteger(parsed) || parsed <= 0) throw new HttpProblem(400, 'INVALID_ARGUMENT', `'${text}' is not a valid ${name}`);
  return parsed;
}
