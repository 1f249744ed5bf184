/**
 * A technician at Tasklist, in code: finds the open user tasks of a process instance through the
 * Camunda 8 REST API (v2) and completes each with a decision, exactly as the form would submit it.
 * The demo uses it to play the on-site installation confirmation; tests use it the same way.
 */

/** One open user task. */
export interface OpenUserTask {
  userTaskKey: string;
  elementId: string;
  name: string;
}

/** The REST API of a cluster (or of the local engine). */
export class TasklistTechnician {
  constructor(private readonly restAddress: string) {}

  /** Open (CREATED) user tasks of the instance. */
  async openTasks(processInstanceKey: string): Promise<OpenUserTask[]> {
    const response = await fetch(`${this.restAddress}/v2/user-tasks/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { processInstanceKey, state: 'CREATED' } }),
    });
    if (!response.ok) throw new Error(`user task search answered ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as { items: OpenUserTask[] };
    return body.items;
  }

  /** Completes a user task with the form's variables. */
  async complete(userTaskKey: string, variables: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.restAddress}/v2/user-tasks/${userTaskKey}/completion`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ variables }),
    });
    if (!response.ok) throw new Error(`user task completion answered ${response.status}: ${await response.text()}`);
  }
}

/** The submission of a technician who confirms the work was done on site. */
export const confirmOnSite = {
  decision: 'COMPLETE',
  reason: 'Router installed and line tested on site with the customer.',
  evidenceReference: 'site-visit-photo-001',
  approvalReference: null,
} as const;

/**
 * The open user task of a process instance that works on one OMS task (or, for plan-level fallout,
 * the plan): the model keeps `currentTaskId` local to each task's iteration, so the user task's
 * visible variables name it.
 */
export async function findUserTaskOf(restAddress: string, processInstanceKey: string, subjectId: string): Promise<OpenUserTask | undefined> {
  const client = new TasklistTechnician(restAddress);
  for (const task of await client.openTasks(processInstanceKey)) {
    const response = await fetch(`${restAddress}/v2/user-tasks/${task.userTaskKey}/variables/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { name: 'currentTaskId' } }),
    });
    if (!response.ok) continue;
    const body = (await response.json()) as { items: { name: string; value: string }[] };
    if (body.items.some((variable) => variable.name === 'currentTaskId' && variable.value === JSON.stringify(subjectId))) return task;
  }
  return undefined;
}
