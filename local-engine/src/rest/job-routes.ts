/**
 * Jobs over REST v2, on the engine commands the gRPC gateway uses (operation ids of the
 * Orchestration Cluster API 8.8):
 *
 * - `activateJobs`   POST  /jobs/activation       long poll: answers as soon as a job is
 *   activated, or after `requestTimeout` ms (0: the default 10 s; < 0: at once) with no jobs;
 *   jobs go out only once their activation is durable, and a job activated for a client that has
 *   gone away meanwhile is handed back.
 * - `completeJob`    POST  /jobs/{jobKey}/completion   204
 * - `failJob`        POST  /jobs/{jobKey}/failure      204 (retries, back-off, incident at 0)
 * - `throwJobError`  POST  /jobs/{jobKey}/error        204
 * - `updateJob`      PATCH /jobs/{jobKey}              204 (retries and/or timeout)
 *
 * Rejections answer as `problem.ts` maps them: 404 unknown job, 409 wrong state, 400 bad input.
 */
import type { Request, Response } from 'express';
import type { ActivatedJob, Engine } from '../engine';
import type { JobDispatcher } from '../gateway/job-dispatcher';
import { parseActivationRequest, parseJobCompletion, parseJobError, parseJobFailure, parseJobUpdate, parsePathKey } from './command-bodies';
import type { Route } from './routes';

/** The long poll's length when a request asks for the default (as the gRPC gateway's). */
export const defaultLongPollMs = 10_000;

/** An activated job as `ActivatedJobResult`: keys as strings, headers and variables as objects. */
export function activatedJobView({ job, variables }: ActivatedJob): Record<string, unknown> {
  return {
    type: job.type,
    processDefinitionId: job.bpmnProcessId,
    processDefinitionVersion: job.processDefinitionVersion,
    elementId: job.elementId,
    customHeaders: job.customHeaders,
    worker: job.worker,
    retries: job.retries,
    deadline: job.deadline,
    variables,
    tenantId: job.tenantId,
    jobKey: String(job.key),
    processInstanceKey: String(job.processInstanceKey),
    processDefinitionKey: String(job.processDefinitionKey),
    elementInstanceKey: String(job.elementInstanceKey),
    kind: 'BPMN_ELEMENT',
    listenerEventType: 'UNSPECIFIED',
  };
}

/** Applies a command, then answers once it is durable (after the job dispatcher's microtask, as the gRPC gateway does). */
async function applied(engine: Engine, command: () => void): Promise<void> {
  command();
  await Promise.resolve();
  await engine.flush();
}

/** The job routes; `dispatcher` parks the long polls. */
export function jobRoutes(engine: Engine, dispatcher: JobDispatcher): Route[] {
  const activate = (request: Request, response: Response) => {
    const body = parseActivationRequest(request.body);
    const activation = { type: body.type, worker: body.worker, timeout: body.timeout, maxJobs: body.maxJobs, fetchVariables: body.fetchVariables, tenantIds: body.tenantIds };
    const answer = (jobs: ActivatedJob[]) => response.json({ jobs: jobs.map(activatedJobView) });
    const jobs = engine.activateJobs(activation);
    if (jobs.length > 0 || body.requestTimeout < 0) {
      return engine.flush().then(() => {
        answer(jobs);
      });
    }
    return new Promise<void>((resolve) => {
      let finished = false;
      const finish = () => {
        finished = true;
        clearTimeout(timer);
        remove();
        resolve();
      };
      const remove = dispatcher.park({
        request: activation,
        resolve: (delivered) => {
          // the client went away while the activation was being written: hand the jobs back
          if (finished) {
            for (const job of delivered) engine.yieldJob(job.job.key);
            return;
          }
          finish();
          answer(delivered);
        },
      });
      const timer = setTimeout(() => {
        if (finished) return;
        finish();
        answer([]);
      }, body.requestTimeout === 0 ? defaultLongPollMs : body.requestTimeout);
      response.on('close', () => {
        if (!finished) finish();
      });
    });
  };

  return [
    ['post', '/jobs/activation', activate],
    [
      'post',
      '/jobs/:jobKey/completion',
      async (request, response) => {
        const variables = parseJobCompletion(request.body);
        await applied(engine, () => engine.completeJob(parsePathKey(request.params.jobKey, 'jobKey'), variables));
        response.status(204).end();
      },
    ],
    [
      'post',
      '/jobs/:jobKey/failure',
      async (request, response) => {
        const failure = parseJobFailure(request.body);
        await applied(engine, () => engine.failJob(parsePathKey(request.params.jobKey, 'jobKey'), failure.retries, failure.errorMessage, failure.retryBackOff, failure.variables));
        response.status(204).end();
      },
    ],
    [
      'post',
      '/jobs/:jobKey/error',
      async (request, response) => {
        const error = parseJobError(request.body);
        await applied(engine, () => engine.throwError(parsePathKey(request.params.jobKey, 'jobKey'), error.errorCode, error.errorMessage, error.variables));
        response.status(204).end();
      },
    ],
    [
      'patch',
      '/jobs/:jobKey',
      async (request, response) => {
        const { retries, timeout } = parseJobUpdate(request.body);
        const key = parsePathKey(request.params.jobKey, 'jobKey');
        await applied(engine, () => {
          // Camunda applies a changeset whole or not at all: refused retries are refused before
          // the timeout changes (the engine's rejection, nothing applied), and the timeout, the
          // change that can meet a job in the wrong state, goes before the retries
          if (retries !== undefined && retries < 1) engine.updateJobRetries(key, retries);
          if (timeout !== undefined) engine.updateJobTimeout(key, timeout);
          if (retries !== undefined) engine.updateJobRetries(key, retries);
        });
        response.status(204).end();
      },
    ],
  ];
}
