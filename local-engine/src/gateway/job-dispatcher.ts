/**
 * Hands activatable jobs to workers: first to open job streams of the type (push, round robin),
 * then to parked long-poll ActivateJobs requests. Jobs are sent only after the activation is
 * durable; a push that cannot be delivered hands the job back.
 */
import type { ActivatedJob, ActivationRequest } from '../engine';
import type { GatewayBackend } from './backend';

/** A registered job stream (StreamActivatedJobs). */
export interface JobStream {
  request: Omit<ActivationRequest, 'maxJobs'>;
  push(jobs: ActivatedJob[]): boolean;
}

/** A parked ActivateJobs long poll. */
export interface LongPoll {
  request: ActivationRequest;
  resolve(jobs: ActivatedJob[]): void;
}

/** Routes jobs to streams and long polls. */
export class JobDispatcher {
  private readonly streams = new Map<string, JobStream[]>();
  private readonly polls = new Map<string, LongPoll[]>();
  private readonly pendingTypes = new Set<string>();
  // Where the round robin of each type goes on: jobs mostly become activatable one at a time, and
  // a rotation started afresh per dispatch would hand every one of them to the first stream.
  private readonly rotations = new Map<string, number>();
  private scheduled = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly engine: GatewayBackend) {
    this.unsubscribe = engine.onJobActivatable((type) => this.notify(type));
  }

  /** Stops listening to the engine. */
  close(): void {
    this.unsubscribe();
  }

  private notify(type: string): void {
    if (!this.streams.get(type)?.length && !this.polls.get(type)?.length) return;
    this.pendingTypes.add(type);
    if (this.scheduled) return;
    this.scheduled = true;
    // Dispatch after the current command finished mutating the state.
    queueMicrotask(() => {
      this.scheduled = false;
      const types = [...this.pendingTypes];
      this.pendingTypes.clear();
      for (const t of types) void this.dispatch(t);
    });
  }

  private async dispatch(type: string): Promise<void> {
    // Activate first, then write once: the jobs' creation and their activation share one commit,
    // and a worker sees a job only when both are durable. (Writing the creation before activating
    // cost a second serial commit per job, which the benchmark profile showed as latency.)
    const deliveries: Array<() => void> = [];
    const streams = this.streams.get(type) ?? [];
    while (streams.length > 0) {
      const rotation = this.rotations.get(type) ?? 0;
      const stream = streams[rotation % streams.length]!;
      const jobs = this.engine.activateJobs({ ...stream.request, maxJobs: 1 });
      if (jobs.length === 0) break;
      this.rotations.set(type, (rotation + 1) % streams.length);
      deliveries.push(() => {
        if (!stream.push(jobs)) for (const job of jobs) this.engine.yieldJob(job.job.key);
      });
    }
    const polls = this.polls.get(type) ?? [];
    while (polls.length > 0) {
      const poll = polls[0]!;
      const jobs = this.engine.activateJobs(poll.request);
      if (jobs.length === 0) break;
      polls.shift();
      deliveries.push(() => poll.resolve(jobs));
    }
    if (deliveries.length === 0) return;
    try {
      await this.engine.flush();
    } catch {
      // not durable: deliver nothing; the activations are in the state and are written with the
      // next batch, and their timeouts make the jobs activatable again, as a lost push would
      return;
    }
    for (const deliver of deliveries) deliver();
  }

  /** Registers a stream; returns its removal. */
  addStream(stream: JobStream): () => void {
    const list = this.streams.get(stream.request.type) ?? [];
    list.push(stream);
    this.streams.set(stream.request.type, list);
    return () => {
      const current = this.streams.get(stream.request.type) ?? [];
      this.streams.set(
        stream.request.type,
        current.filter((s) => s !== stream),
      );
    };
  }

  /** Parks a long poll until a job arrives; returns its removal (for the timeout). */
  park(poll: LongPoll): () => boolean {
    const list = this.polls.get(poll.request.type) ?? [];
    list.push(poll);
    this.polls.set(poll.request.type, list);
    return () => {
      const current = this.polls.get(poll.request.type) ?? [];
      const index = current.indexOf(poll);
      if (index < 0) return false;
      current.splice(index, 1);
      return true;
    };
  }
}
