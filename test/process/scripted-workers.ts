/**
 * Job workers that stand in for the connector runtime: one job stream per registered job type,
 * opened through the SDK exactly as the runtime would, each answering from the scripted domain.
 * A job the domain refuses is failed without retries, so the refusal becomes an incident the test
 * sees instead of a job that silently waits.
 */
import { jobTypes } from '../../connector-runtime/src/jobs';
import type { Harness } from '../../local-engine/test/harness';
import type { ScriptedDomain } from './scripted-domain';

/** Open job streams; `close` ends them. */
export interface ScriptedWorkers {
  close(): void;
}

/**
 * A stream only receives jobs created after the engine registered it, and the SDK cannot tell when
 * that happened; this poll picks up a job that slipped in before, within a fraction of a second.
 */
const backfillPollIntervalMs = 200;

/** Long enough that moving the manual clock over a task timeout never times out a job in flight. */
const jobTimeoutMs = 7 * 24 * 3600_000;

/** Opens a job stream for every job type of the pack, answering from `domain`. */
export async function startScriptedWorkers(harness: Harness, domain: ScriptedDomain): Promise<ScriptedWorkers> {
  const streams = await Promise.all(
    jobTypes.map((type) =>
      harness.zeebe.streamJobs({
        type,
        worker: 'scripted-domain',
        tenantIds: [],
        timeout: jobTimeoutMs,
        pollInterval: backfillPollIntervalMs,
        taskHandler: async (job) => {
          let output: Record<string, unknown>;
          try {
            output = await domain.handle({
              type: job.type,
              elementId: job.elementId,
              processInstanceKey: job.processInstanceKey,
              variables: job.variables as Record<string, unknown>,
              customHeaders: job.customHeaders as Record<string, unknown>,
            });
          } catch (error) {
            return job.fail({ errorMessage: (error as Error).message, retries: 0 });
          }
          // The SDK's JSON type has no null; Zeebe variables do, and the outputs use it.
          return job.complete(output as Parameters<typeof job.complete>[0]);
        },
      }),
    ),
  );
  return {
    close() {
      for (const stream of streams) stream.close();
    },
  };
}
