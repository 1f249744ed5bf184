/**
 * A small table-driven state machine: the allowed transitions are data, each with the reason it is
 * allowed, so the table documents itself, tests can enumerate it, and an illegal move always fails
 * the same way (`<ENTITY>.INVALID_TRANSITION`).
 */
import { BugError, InvalidTransitionError } from '../errors';

/** One allowed move and why it is allowed. */
export interface TransitionRule<S extends string> {
  readonly from: S;
  readonly to: S;
  readonly why: string;
}

/** A state machine over the statuses `S`. */
export interface StateMachine<S extends string> {
  /** Name used in error codes and messages (`task` -> `TASK.INVALID_TRANSITION`). */
  readonly entity: string;
  readonly statuses: readonly S[];
  readonly rules: readonly TransitionRule<S>[];
  /** Statuses with no way out. */
  readonly finalStatuses: readonly S[];
  canTransition(from: S, to: S): boolean;
  /** Statuses reachable from `from` in one step, in table order. */
  allowedTargets(from: S): S[];
  /** The reason the move is allowed, or `undefined` when it is not. */
  reasonFor(from: S, to: S): string | undefined;
  /** Throws `InvalidTransitionError` unless the move is allowed. */
  assertTransition(from: S, to: S, details?: Record<string, unknown>): void;
}

/**
 * Builds a state machine from its table. A table that names an unknown status, repeats a move or
 * moves a status to itself is a programming error, reported at module load.
 */
export function defineStateMachine<S extends string>(
  entity: string,
  statuses: readonly S[],
  rules: readonly TransitionRule<S>[],
): StateMachine<S> {
  const reasons = new Map<string, string>();
  for (const rule of rules) {
    const key = `${rule.from}>${rule.to}`;
    if (!statuses.includes(rule.from) || !statuses.includes(rule.to)) {
      throw new BugError('STATE_MACHINE.UNKNOWN_STATUS', `${entity}: ${key} names an unknown status`, { entity, rule: key });
    }
    // Same-status "moves" are repeats of a command; idempotency keys, not the state machine, absorb them.
    if (rule.from === rule.to) {
      throw new BugError('STATE_MACHINE.SELF_TRANSITION', `${entity}: ${key} does not change the status`, { entity, rule: key });
    }
    if (reasons.has(key)) throw new BugError('STATE_MACHINE.DUPLICATE_RULE', `${entity}: ${key} is listed twice`, { entity, rule: key });
    reasons.set(key, rule.why);
  }
  const reasonFor = (from: S, to: S): string | undefined => reasons.get(`${from}>${to}`);
  return {
    entity,
    statuses,
    rules,
    finalStatuses: statuses.filter((status) => !rules.some((rule) => rule.from === status)),
    canTransition: (from, to) => reasonFor(from, to) !== undefined,
    allowedTargets: (from) => rules.filter((rule) => rule.from === from).map((rule) => rule.to),
    reasonFor,
    assertTransition(from, to, details = {}) {
      if (reasonFor(from, to) === undefined) throw new InvalidTransitionError(entity, from, to, details);
    },
  };
}
