import { describe, expect, it } from 'vitest';
import { manualDecisions } from '../../domain/vocabulary';
import {
  applyManualDecisionInputSchema,
  applyManualDecisionOutputSchema,
  manualDecisionReasonMinLength,
  manualDecisionSubmissionSchema,
} from './schema';

const ids = {
  tenantId: 'tenant-a',
  orderId: '00000001-0000-4000-8000-000000000001',
  fulfillmentPlanId: '00000001-0000-4000-8000-000000000002',
  currentTaskId: '00000001-0000-4000-8000-000000000003',
};
const reason = 'Technician confirmed installation on site.';

describe('apply-manual-decision input', () => {
  it.each(manualDecisions.filter((decision) => decision !== 'SKIP_WITH_APPROVAL'))(
    'given decision %s with a reason, when parsed, then it is accepted',
    (decision) => {
      expect(applyManualDecisionInputSchema.parse({ ...ids, decision, reason })).toMatchObject({ decision, reason });
    },
  );

  it('given the seed §13 example body, when parsed, then it keeps the evidence reference', () => {
    const parsed = applyManualDecisionInputSchema.parse({ ...ids, decision: 'COMPLETE', reason, evidenceReference: 'doc-123' });
    expect(parsed.evidenceReference).toBe('doc-123');
  });

  it('given unset optional references as the input mappings deliver them (null), when parsed, then it is accepted', () => {
    const parsed = applyManualDecisionInputSchema.parse({ ...ids, decision: 'FAIL', reason, evidenceReference: null, approvalReference: null });
    expect(parsed.evidenceReference).toBeNull();
  });

  it('given SKIP_WITH_APPROVAL without an approval reference, when parsed, then it is refused on approvalReference', () => {
    for (const approvalReference of [undefined, null, '', '   ']) {
      const result = applyManualDecisionInputSchema.safeParse({ ...ids, decision: 'SKIP_WITH_APPROVAL', reason, approvalReference });
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['approvalReference']);
    }
  });

  it('given SKIP_WITH_APPROVAL with an approval reference, when parsed, then it is accepted', () => {
    const parsed = applyManualDecisionInputSchema.parse({ ...ids, decision: 'SKIP_WITH_APPROVAL', reason, approvalReference: 'CAB-42' });
    expect(parsed.approvalReference).toBe('CAB-42');
  });

  it('given a reason shorter than the minimum once trimmed, when parsed, then it is refused', () => {
    const short = `  ${'x'.repeat(manualDecisionReasonMinLength - 1)}  `;
    expect(manualDecisionSubmissionSchema.safeParse({ decision: 'COMPLETE', reason: short }).success).toBe(false);
    expect(manualDecisionSubmissionSchema.safeParse({ decision: 'COMPLETE', reason: 'x'.repeat(manualDecisionReasonMinLength) }).success).toBe(true);
  });

  it('given an unknown decision or a missing id, when parsed, then it is refused', () => {
    expect(applyManualDecisionInputSchema.safeParse({ ...ids, decision: 'APPROVE', reason }).success).toBe(false);
    const { currentTaskId: _omitted, ...withoutTask } = ids;
    expect(applyManualDecisionInputSchema.safeParse({ ...withoutTask, decision: 'COMPLETE', reason }).success).toBe(false);
  });
});

describe('apply-manual-decision output', () => {
  it('accepts routing state and refuses an unknown task status', () => {
    const output = { currentTaskResult: 'COMPLETED', moreReadyTasks: true, allRequiredTasksDone: false, falloutReason: null };
    expect(applyManualDecisionOutputSchema.parse(output)).toEqual(output);
    expect(applyManualDecisionOutputSchema.safeParse({ ...output, currentTaskResult: 'DONE' }).success).toBe(false);
  });
});
