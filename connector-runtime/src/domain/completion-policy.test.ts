import { describe, expect, it } from 'vitest';
import { isOrderCompletionAllowed } from './completion-policy';
import type { CompletionDecision, CompletionInput } from './completion-policy';
import type { CompletionPolicy, FulfillmentTaskStatus } from './vocabulary';

type TaskRow = CompletionInput['tasks'][number];

/** A finished plan: provisioning and installed base done, one required billing task in `billing`. */
function tasks(billing: FulfillmentTaskStatus, overrides: Partial<Record<string, FulfillmentTaskStatus>> = {}): TaskRow[] {
  const rows: TaskRow[] = [
    { taskId: 'provision', taskType: 'CREATE_PROVISIONING_REQUEST', status: 'COMPLETED', required: true },
    { taskId: 'installed-base', taskType: 'UPDATE_INSTALLED_BASE', status: 'COMPLETED', required: true },
    { taskId: 'billing', taskType: 'ACTIVATE_BILLING', status: billing, required: true },
    { taskId: 'notify', taskType: 'SEND_CUSTOMER_NOTIFICATION', status: 'PENDING', required: false },
  ];
  return rows.map((row) => ({ ...row, status: overrides[row.taskId] ?? row.status }));
}

function decide(policy: CompletionPolicy, billing: FulfillmentTaskStatus, extra: Partial<CompletionInput> = {}): CompletionDecision {
  return isOrderCompletionAllowed({ completionPolicy: policy, planStatus: 'IN_PROGRESS', tasks: tasks(billing), assetImpact: 'APPLIED', ...extra });
}

const outcome = (decision: CompletionDecision): string =>
  decision.allowed ? decision.endState : `blocked:${decision.blockers.map((blocker) => blocker.code).join('+')}`;

describe('the three billing completion policies', () => {
  // Billing task status -> expected outcome, per policy (seed §19).
  const table: [FulfillmentTaskStatus, Record<CompletionPolicy, string>][] = [
    [
      'COMPLETED',
      { COMPLETION_REQUIRES_BILLING_ACTIVE: 'COMPLETED', COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED: 'COMPLETED', COMPLETION_ALLOWS_BILLING_PENDING: 'COMPLETED' },
    ],
    [
      'WAITING',
      {
        COMPLETION_REQUIRES_BILLING_ACTIVE: 'blocked:BILLING_NOT_ACTIVE',
        COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED: 'PARTIALLY_COMPLETED',
        COMPLETION_ALLOWS_BILLING_PENDING: 'PARTIALLY_COMPLETED',
      },
    ],
    [
      'READY',
      {
        COMPLETION_REQUIRES_BILLING_ACTIVE: 'blocked:BILLING_NOT_ACTIVE',
        COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED: 'blocked:BILLING_REQUEST_NOT_ACCEPTED',
        COMPLETION_ALLOWS_BILLING_PENDING: 'PARTIALLY_COMPLETED',
      },
    ],
    [
      'IN_PROGRESS',
      {
        COMPLETION_REQUIRES_BILLING_ACTIVE: 'blocked:BILLING_NOT_ACTIVE',
        COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED: 'blocked:BILLING_REQUEST_NOT_ACCEPTED',
        COMPLETION_ALLOWS_BILLING_PENDING: 'PARTIALLY_COMPLETED',
      },
    ],
    ...(['FAILED', 'TIMED_OUT', 'FALLOUT', 'CANCELLED'] as const).map(
      (status) =>
        [
          status,
          {
            COMPLETION_REQUIRES_BILLING_ACTIVE: 'blocked:BILLING_FAILED',
            COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED: 'blocked:BILLING_FAILED',
            COMPLETION_ALLOWS_BILLING_PENDING: 'blocked:BILLING_FAILED',
          },
        ] as [FulfillmentTaskStatus, Record<CompletionPolicy, string>],
    ),
    [
      'SKIPPED',
      { COMPLETION_REQUIRES_BILLING_ACTIVE: 'COMPLETED', COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED: 'COMPLETED', COMPLETION_ALLOWS_BILLING_PENDING: 'COMPLETED' },
    ],
  ];

  it.each(table.flatMap(([billing, byPolicy]) => Object.entries(byPolicy).map(([policy, expected]) => [policy, billing, expected] as const)))(
    '%s with billing %s -> %s',
    (policy, billing, expected) => {
      expect(outcome(decide(policy as CompletionPolicy, billing))).toBe(expected);
    },
  );

  it('names the outstanding billing task when completion is partial', () => {
    const decision = decide('COMPLETION_ALLOWS_BILLING_PENDING', 'WAITING');
    expect(decision).toMatchObject({ allowed: true, endState: 'PARTIALLY_COMPLETED', outstandingBillingTaskIds: ['billing'] });
    expect(decision.reason).toContain('COMPLETION_ALLOWS_BILLING_PENDING allows completion with billing outstanding: billing');
  });

  it('moves a partially completed plan only to COMPLETED, once billing is active', () => {
    expect(outcome(decide('COMPLETION_ALLOWS_BILLING_PENDING', 'WAITING', { planStatus: 'PARTIALLY_COMPLETED' }))).toBe('blocked:BILLING_NOT_ACTIVE');
    expect(outcome(decide('COMPLETION_ALLOWS_BILLING_PENDING', 'COMPLETED', { planStatus: 'PARTIALLY_COMPLETED' }))).toBe('COMPLETED');
  });

  it('handles a disconnect, whose billing task stops billing', () => {
    const rows: TaskRow[] = [
      { taskId: 'deactivate', taskType: 'DEACTIVATE_SERVICE', status: 'COMPLETED', required: true },
      { taskId: 'stop-billing', taskType: 'DEACTIVATE_BILLING', status: 'WAITING', required: true },
    ];
    const input = { planStatus: 'IN_PROGRESS' as const, tasks: rows, assetImpact: 'APPLIED' as const };
    expect(outcome(isOrderCompletionAllowed({ ...input, completionPolicy: 'COMPLETION_REQUIRES_BILLING_ACTIVE' }))).toBe('blocked:BILLING_NOT_ACTIVE');
    expect(outcome(isOrderCompletionAllowed({ ...input, completionPolicy: 'COMPLETION_REQUIRES_BILLING_REQUEST_ACCEPTED' }))).toBe('PARTIALLY_COMPLETED');
  });
});

describe('the other completion conditions (seed §30)', () => {
  it('requires every required task to be done; optional ones do not matter', () => {
    const decision = isOrderCompletionAllowed({
      completionPolicy: 'COMPLETION_ALLOWS_BILLING_PENDING',
      planStatus: 'IN_PROGRESS',
      tasks: tasks('COMPLETED', { provision: 'FALLOUT' }),
      assetImpact: 'APPLIED',
    });
    expect(decision).toMatchObject({ allowed: false, endState: null, blockers: [{ code: 'REQUIRED_TASK_NOT_DONE', taskIds: ['provision'] }] });
    expect(decision.reason).toContain('provision (CREATE_PROVISIONING_REQUEST FALLOUT)');
  });

  it('accepts an approved skip as done', () => {
    const decision = isOrderCompletionAllowed({
      completionPolicy: 'COMPLETION_REQUIRES_BILLING_ACTIVE',
      planStatus: 'IN_PROGRESS',
      tasks: tasks('COMPLETED', { provision: 'SKIPPED' }),
      assetImpact: 'APPLIED',
    });
    expect(outcome(decision)).toBe('COMPLETED');
  });

  it.each([
    ['NOT_APPLIED', 'blocked:ASSET_IMPACT_NOT_APPLIED'],
    ['VERSION_CONFLICT', 'blocked:ASSET_VERSION_CONFLICT'],
    ['NOT_REQUIRED', 'COMPLETED'],
  ] as const)('with asset impact %s -> %s', (assetImpact, expected) => {
    expect(outcome(decide('COMPLETION_REQUIRES_BILLING_ACTIVE', 'COMPLETED', { assetImpact }))).toBe(expected);
  });

  it.each(['CREATED', 'COMPLETED', 'CANCELLED', 'FAILED_WITH_FALLOUT', 'COMPENSATED', 'MANUAL_CLOSED'] as const)('refuses a plan that is %s', (planStatus) => {
    expect(outcome(decide('COMPLETION_REQUIRES_BILLING_ACTIVE', 'COMPLETED', { planStatus }))).toBe('blocked:PLAN_NOT_ACTIVE');
  });

  it('refuses while cancellation is requested', () => {
    expect(outcome(decide('COMPLETION_REQUIRES_BILLING_ACTIVE', 'COMPLETED', { cancellationRequested: true }))).toBe('blocked:CANCELLATION_REQUESTED');
  });

  it('lists every blocker at once', () => {
    const decision = isOrderCompletionAllowed({
      completionPolicy: 'COMPLETION_REQUIRES_BILLING_ACTIVE',
      planStatus: 'IN_PROGRESS',
      tasks: tasks('FAILED', { 'installed-base': 'PENDING' }),
      assetImpact: 'VERSION_CONFLICT',
    });
    expect(outcome(decision)).toBe('blocked:REQUIRED_TASK_NOT_DONE+BILLING_FAILED+ASSET_VERSION_CONFLICT');
  });
});
