import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TransientError } from '../errors';
import { createFaultPoints, faultPointsSchema, noFaults } from './fault-points';

describe('fault points', () => {
  it('given no configuration, when any point is hit, then nothing happens', async () => {
    expect(createFaultPoints(undefined)).toBe(noFaults);
    expect(createFaultPoints({})).toBe(noFaults);
    await expect(noFaults.hit('outbox.after-send')).resolves.toBeUndefined();
  });

  it('given throw with skip and times, when hit repeatedly, then only the hits after the skipped ones fail, as often as asked', async () => {
    const fired: string[] = [];
    const faults = createFaultPoints({ 'task.after-partner-call': { action: 'throw', skip: 2, times: 2 } }, (name) => fired.push(name));
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(
        await faults.hit('task.after-partner-call').then(
          () => 'pass',
          (error: unknown) => (error instanceof TransientError && error.code === 'FAULT.INJECTED' ? 'fault' : 'other'),
        ),
      );
    }
    expect(outcomes).toEqual(['pass', 'pass', 'fault', 'fault', 'pass', 'pass']);
    expect(fired).toEqual(['task.after-partner-call', 'task.after-partner-call']);
    // another point is untouched
    await expect(faults.hit('outbox.after-send')).resolves.toBeUndefined();
  });

  it('given delay, when hit, then it waits about delayMs and goes on', async () => {
    const faults = createFaultPoints({ 'task.before-partner-call': { action: 'delay', delayMs: 60 } });
    const started = performance.now();
    await faults.hit('task.before-partner-call');
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('given kill, when hit in a process, then the process dies by SIGKILL and runs nothing after the point', () => {
    const script = `
      const { createFaultPoints } = await import(${JSON.stringify(new URL('./fault-points.ts', import.meta.url).href)});
      const faults = createFaultPoints({ 'outbox.after-send': { action: 'kill' } });
      process.on('exit', () => process.stdout.write('exit hook ran'));
      await faults.hit('outbox.after-send');
      process.stdout.write('after the point');
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(child.signal).toBe('SIGKILL');
    expect(child.stdout).toBe('');
    expect(child.stderr).toContain('fault point outbox.after-send: killing process');
  });

  it('given an unknown point or action, when parsed, then the configuration is refused', () => {
    expect(faultPointsSchema.safeParse({ 'nowhere': { action: 'kill' } }).success).toBe(false);
    expect(faultPointsSchema.safeParse({ 'outbox.after-send': { action: 'explode' } }).success).toBe(false);
    expect(faultPointsSchema.safeParse({ 'outbox.after-send': { action: 'delay', delayMs: 5 } }).success).toBe(true);
  });
});
