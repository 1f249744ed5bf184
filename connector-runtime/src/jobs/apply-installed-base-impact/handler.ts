/** Handler of `apply-installed-base-impact` (seed §18): every item's asset impact, idempotently. */
import { applyInstalledBaseImpact } from '../../commands/installed-base';
import type { JobHandler } from '../../engine/job-adapter';
import { workerActor, type HandlerDeps } from '../handler-deps';
import { applyInstalledBaseImpactContract } from './schema';

/** Builds the handler. */
export function applyInstalledBaseImpactHandler(deps: HandlerDeps): JobHandler<typeof applyInstalledBaseImpactContract> {
  return async (input) => applyInstalledBaseImpact(deps.pool, { ...input, actor: workerActor(applyInstalledBaseImpactContract.type) }, deps);
}
