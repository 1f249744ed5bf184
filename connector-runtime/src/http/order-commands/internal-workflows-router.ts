/**
 * The internal worker API (seed §22 `/internal/workflows/orders/{orderId}/...`): the same OMS
 * commands the job handlers call, for workers written elsewhere (Camunda's REST outbound connector,
 * another team's worker). Each route runs the job type's own handler on the job's variables and
 * custom headers, validated by the job contract, with the request's Idempotency-Key as the job's
 * idempotency key: a repeated request finds the attempt it made and calls no partner again.
 *
 * Body: `{ variables: {...the job's variables}, headers?: {...custom headers}, processInstanceKey?: string }`;
 * the order id in the path must match `variables.orderId`. Answer: the job's output variables.
 */
import { Router } from 'express';
import { z } from 'zod';
import { ValidationError } from '../../errors';
import type { JobContext } from '../../engine/job-adapter';
import type { HandlerDeps } from '../../jobs/handler-deps';
import { jobBindings } from '../../jobs/handlers';

/** Each internal route and the job type whose handler it runs. */
export const internalWorkflowRoutes = {
  'load-fulfillment-plan': 'load-fulfillment-plan',
  'execute-task': 'execute-fulfillment-task',
  'submit-task-request': 'submit-external-task-request',
  'apply-task-result': 'apply-external-task-result',
  'apply-timeout': 'apply-fulfillment-timeout',
  'open-fallout': 'open-fulfillment-fallout',
  'apply-manual-decision': 'apply-manual-decision',
  'start-compensation': 'start-compensation',
  'execute-compensation-task': 'execute-compensation-task',
  'apply-asset-impact': 'apply-installed-base-impact',
  'finalize-fulfillment': 'finalize-order-fulfillment',
} as const;

const requestSchema = z.strictObject({
  variables: z.record(z.string(), z.unknown()),
  headers: z.record(z.string(), z.unknown()).optional(),
  processInstanceKey: z.string().regex(/^\d{1,19}$/).optional(),
});

function issues(error: z.ZodError, prefix: string): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: [prefix, ...issue.path].join('.'), message: issue.message }));
}

/** Builds the router (mount it behind authentication, role `integration`, and Idempotency-Key). */
export function internalWorkflowsRouter(deps: HandlerDeps): Router {
  const router = Router();
  const bindings = new Map(jobBindings(deps).map((binding) => [binding.contract.type, binding]));
  for (const [route, jobType] of Object.entries(internalWorkflowRoutes)) {
    const binding = bindings.get(jobType)!;
    router.post(`/internal/workflows/orders/:orderId/${route}`, async (req, res) => {
      const body = requestSchema.safeParse(req.body);
      if (!body.success) throw new ValidationError('body is invalid', issues(body.error, 'body'));
      const principal = res.locals['principal'] as { tenantId: string } | undefined;
      const variables: Record<string, unknown> = { ...body.data.variables, tenantId: principal?.tenantId ?? body.data.variables['tenantId'] };
      if (variables['orderId'] !== req.params['orderId']) {
        throw new ValidationError('body is invalid', [{ path: 'body.variables.orderId', message: 'must be the order id of the path' }]);
      }
      const input = binding.contract.input.safeParse(variables);
      if (!input.success) throw new ValidationError(`variables of ${jobType} are invalid`, issues(input.error, 'body.variables'));
      const headers = binding.contract.headers.safeParse(body.data.headers ?? {});
      if (!headers.success) throw new ValidationError(`headers of ${jobType} are invalid`, issues(headers.error, 'body.headers'));
      const key = req.get('Idempotency-Key');
      if (!key) throw new ValidationError('Idempotency-Key header is required', [{ path: 'header.Idempotency-Key', message: 'required' }]);
      const orderVersion = variables['orderVersion'];
      const context: JobContext<unknown> = {
        headers: headers.data,
        jobKey: `api:${key}`,
        idempotencyKey: `api:${key}`,
        retries: 1,
        processInstanceKey: body.data.processInstanceKey ?? `api:${principal?.tenantId ?? ''}:${req.params['orderId']}`,
        orderVersion: typeof orderVersion === 'number' && Number.isSafeInteger(orderVersion) ? orderVersion : undefined,
      };
      const output = await binding.handler(input.data, context as never);
      res.json(binding.contract.output.parse(output));
    });
  }
  return router;
}
