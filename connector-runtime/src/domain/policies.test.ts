import { describe, expect, it } from 'vitest';
import {
  compensationPolicySchema,
  isAutomaticallyReversible,
  retryBackoffMilliseconds,
  retryPolicySchema,
  timeoutPolicySchema,
} from './policies';

describe('retry policy', () => {
  it('accepts the seed §2 example and converts the back-off to milliseconds', () => {
    const policy = retryPolicySchema.parse({ maxAttempts: 3, backoff: 'PT30S' });
    expect(retryBackoffMilliseconds(policy)).toBe(30_000);
  });

  it.each([
    [{ maxAttempts: 0, backoff: 'PT30S' }],
    [{ maxAttempts: 1.5, backoff: 'PT30S' }],
    [{ maxAttempts: 3, backoff: '30s' }],
    [{ maxAttempts: 3, backoff: 'PT30S', extra: true }],
  ])('rejects %j', (input) => {
    expect(retryPolicySchema.safeParse(input).success).toBe(false);
  });
});

describe('timeout policy', () => {
  it('accepts the seed §14 example', () => {
    expect(
      timeoutPolicySchema.safeParse({
        timeout: 'PT2H',
        softReminderBefore: 'PT30M',
        onTimeout: 'OPEN_FALLOUT',
        falloutCategory: 'EXTERNAL_SYSTEM_TIMEOUT',
      }).success,
    ).toBe(true);
  });

  it.each([
    ['a reminder not shorter than the timeout', { timeout: 'PT1H', softReminderBefore: 'PT1H', onTimeout: 'REMIND' }],
    ['a zero reminder', { timeout: 'PT1H', softReminderBefore: 'PT0S', onTimeout: 'REMIND' }],
    ['a zero timeout', { timeout: 'PT0S', onTimeout: 'RETRY' }],
    ['fallout without a category', { timeout: 'PT1H', onTimeout: 'OPEN_FALLOUT' }],
    ['an unknown action', { timeout: 'PT1H', onTimeout: 'FALLOUT' }],
    ['an unknown category', { timeout: 'PT1H', onTimeout: 'OPEN_FALLOUT', falloutCategory: 'OOPS' }],
  ])('rejects %s', (_label, input) => {
    expect(timeoutPolicySchema.safeParse(input).success).toBe(false);
  });
});

describe('compensation policy', () => {
  it('accepts the seed §2 example, which is undone automatically', () => {
    const policy = compensationPolicySchema.parse({ compensatable: true, compensationTaskType: 'RELEASE_RESOURCE' });
    expect(isAutomaticallyReversible(policy)).toBe(true);
  });

  it('sends a non-reversible task to a person, with or without a compensation type', () => {
    expect(isAutomaticallyReversible(compensationPolicySchema.parse({ compensatable: true, reversible: false }))).toBe(false);
    expect(isAutomaticallyReversible(compensationPolicySchema.parse({ compensatable: false }))).toBe(false);
  });

  it.each([
    ['reversible without a compensation type', { compensatable: true }],
    ['not compensatable but naming a type', { compensatable: false, compensationTaskType: 'RELEASE_RESOURCE' }],
    ['an unknown task type', { compensatable: true, compensationTaskType: 'UNDO_EVERYTHING' }],
  ])('rejects %s', (_label, input) => {
    expect(compensationPolicySchema.safeParse(input).success).toBe(false);
  });
});
