/**
 * What a test may see of a running order-fulfillment instance, read only through the SDK's REST
 * client (element instances, user tasks and their variables, variables, incidents), plus waiting
 * for asynchronous progress by short polling under an overall deadline. Every wait that runs out
 * explains itself: which elements are active, which incidents are open, which jobs the scripted
 * domain refused.
 */
import type { Harness } from '../../local-engine/test/harness';
import type { ScriptedDomain } from './scripted-domain';

interface Page<T> {
  items: T[];
}
type Filter = { filter: Record<string, unknown>; page?: { limit: number } };
type Consistency = { consistency: { waitUpToMs: number } };

/** An element instance as the REST API returns it. */
export interface ElementInstanceItem {
  elementInstanceKey: string;
  elementId: string;
  type: string;
  state: string;
}

/** A user task as the REST API returns it. */
export interface UserTaskItem {
  userTaskKey: string;
  elementId: string;
  name: string;
  state: string;
  candidateGroups: string[];
  processInstanceKey: string;
}

/** A variable as the REST API returns it (the value is JSON text). */
export interface VariableItem {
  name: string;
  value: string;
  scopeKey: string;
}

interface IncidentItem {
  elementId: string;
  errorType: string;
  errorMessage: string;
  state: string;
}

/** The methods of the SDK's Orchestration Cluster API client this file calls, with plain keys. */
interface ProcessApi {
  getProcessInstance(input: { processInstanceKey: string }, options: Consistency): Promise<{ state: string }>;
  searchElementInstances(input: Filter, options: Consistency): Promise<Page<ElementInstanceItem>>;
  searchUserTasks(input: Filter, options: Consistency): Promise<Page<UserTaskItem>>;
  searchUserTaskVariables(input: Filter & { userTaskKey: string }, options: Consistency): Promise<Page<VariableItem>>;
  getUserTaskForm(input: { userTaskKey: string }, options: Consistency): Promise<{ formId: string; schema: string } | undefined>;
  completeUserTask(input: { userTaskKey: string; variables: Record<string, unknown> }): Promise<void>;
  searchVariables(input: Filter, options: Consistency): Promise<Page<VariableItem>>;
  searchIncidents(input: Filter, options: Consistency): Promise<Page<IncidentItem>>;
}

const now = { consistency: { waitUpToMs: 0 } } as const;
const all = { limit: 1000 } as const;

const pollIntervalMs = 10;
/** Overall deadline of one wait; progress on the local engine takes milliseconds. */
const waitTimeoutMs = 10_000;

/** Reads one process instance over REST. */
export class ProcessProbe {
  private readonly api: ProcessApi;

  constructor(
    harness: Harness,
    readonly processInstanceKey: string,
    private readonly domain: ScriptedDomain,
  ) {
    this.api = harness.api as unknown as ProcessApi;
  }

  /** ACTIVE or COMPLETED (or TERMINATED). */
  async state(): Promise<string> {
    return (await this.api.getProcessInstance({ processInstanceKey: this.processInstanceKey }, now)).state;
  }

  /** Element instances of this process instance, optionally of one element. */
  async elements(elementId?: string): Promise<ElementInstanceItem[]> {
    const filter: Record<string, unknown> = { processInstanceKey: this.processInstanceKey };
    if (elementId) filter.elementId = elementId;
    return (await this.api.searchElementInstances({ filter, page: all }, now)).items;
  }

  /** Ids of the elements with an active instance. */
  async activeElementIds(): Promise<string[]> {
    return (await this.elements()).filter((e) => e.state === 'ACTIVE').map((e) => e.elementId);
  }

  /** User tasks of this instance, optionally only those in one state. */
  async userTasks(state?: string): Promise<UserTaskItem[]> {
    const filter: Record<string, unknown> = { processInstanceKey: this.processInstanceKey };
    if (state) filter.state = state;
    return (await this.api.searchUserTasks({ filter, page: all }, now)).items;
  }

  /** Variables visible to a user task, parsed. */
  async userTaskVariables(userTaskKey: string): Promise<Record<string, unknown>> {
    const page = await this.api.searchUserTaskVariables({ userTaskKey, filter: {}, page: all }, now);
    return Object.fromEntries(page.items.map((v) => [v.name, JSON.parse(v.value) as unknown]));
  }

  /** The form linked to a user task. */
  async userTaskForm(userTaskKey: string): Promise<{ formId: string; schema: string } | undefined> {
    return this.api.getUserTaskForm({ userTaskKey }, now);
  }

  /** Completes a user task as Tasklist would, with the form's submission. */
  async completeUserTask(userTaskKey: string, variables: Record<string, unknown>): Promise<void> {
    await this.api.completeUserTask({ userTaskKey, variables });
  }

  /** Variables of the process instance's root scope, parsed. */
  async rootVariables(): Promise<Record<string, unknown>> {
    return Object.fromEntries((await this.variables()).filter((v) => v.scopeKey === this.processInstanceKey).map((v) => [v.name, JSON.parse(v.value) as unknown]));
  }

  /**
   * Every variable of the instance in every live scope (one item per scope and name). The search
   * also answers the variables of ended scopes, as Camunda's does, so those are left out here.
   */
  async variables(name?: string): Promise<VariableItem[]> {
    const filter: Record<string, unknown> = { processInstanceKey: this.processInstanceKey };
    if (name) filter.name = name;
    const items = (await this.api.searchVariables({ filter, page: all }, now)).items;
    const live = new Set([this.processInstanceKey, ...(await this.elements()).filter((e) => e.state === 'ACTIVE').map((e) => e.elementInstanceKey)]);
    return items.filter((item) => live.has(item.scopeKey));
  }

  /** Open incidents of the instance. */
  async incidents(): Promise<IncidentItem[]> {
    return (await this.api.searchIncidents({ filter: { processInstanceKey: this.processInstanceKey, state: 'ACTIVE' }, page: all }, now)).items;
  }

  /** Ids of the `End_<STATE>` end events the instance reached. */
  async endStatesReached(): Promise<string[]> {
    return (await this.elements()).filter((e) => e.elementId.startsWith('End_') && e.state === 'COMPLETED').map((e) => e.elementId);
  }

  /** What is still open: active elements, created user tasks, open incidents. */
  async openWork(): Promise<{ activeElements: string[]; openUserTasks: string[]; incidents: string[] }> {
    return {
      activeElements: await this.activeElementIds(),
      openUserTasks: (await this.userTasks('CREATED')).map((t) => t.elementId),
      incidents: (await this.incidents()).map((i) => `${i.elementId}: ${i.errorType} ${i.errorMessage}`),
    };
  }

  /** Polls `check` until it returns a value other than undefined, or fails explaining the instance's state. */
  async until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + waitTimeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ${await this.explain()}`);
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    }
  }

  /** Waits until `count` instances of the element are active at once, and returns them. */
  async active(elementId: string, count = 1): Promise<ElementInstanceItem[]> {
    return this.until(`${count} active ${elementId}`, async () => {
      const active = (await this.elements(elementId)).filter((e) => e.state === 'ACTIVE');
      return active.length === count ? active : undefined;
    });
  }

  /** Waits for the one created user task of an element. */
  async userTask(elementId: string): Promise<UserTaskItem> {
    return this.until(`user task ${elementId}`, async () => (await this.userTasks('CREATED')).find((t) => t.elementId === elementId));
  }

  /** Waits until the instance completed. */
  async completed(): Promise<void> {
    await this.until('the instance to complete', async () => ((await this.state()) === 'COMPLETED' ? true : undefined));
  }

  /** Active elements, incidents and refused jobs, for a failure message. */
  async explain(): Promise<string> {
    const open = await this.openWork();
    return `state ${await this.state()}, active [${open.activeElements.join(', ')}], incidents [${open.incidents.join(' | ')}], refused jobs [${this.domain.violations.map((v) => `${v.type}@${v.elementId}: ${v.message}`).join(' | ')}]`;
  }
}
