/**
 * The root logger writes for its reader: human-readable lines (pino-pretty) when its destination
 * is a terminal, one JSON object a line otherwise (a pipe, a file, a log collector).
 */
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

/** A destination that keeps what it is sent (colours stripped); `isTTY` as a terminal or a pipe reports it. */
function destination(isTTY: boolean): Writable & { isTTY: boolean; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { isTTY, text: () => stripVTControlCharacters(chunks.join('')) });
}

describe('createLogger', () => {
  it('given a terminal, when a line is logged, then it is pretty: time, level and message on one line, fields below, no JSON', () => {
    const terminal = destination(true);
    createLogger('info', terminal).info({ orderId: 'o-42', attemptNo: 2 }, 'fulfillment process started');
    const text = terminal.text();
    expect(() => JSON.parse(text)).toThrow();
    expect(text).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] .*INFO.*: .*fulfillment process started/);
    expect(text).toContain('orderId: "o-42"');
    expect(text).toContain('attemptNo: 2');
  });

  it('given a terminal, when an error is logged, then its stack is readable, not an escaped JSON string', () => {
    const terminal = destination(true);
    createLogger('info', terminal).error({ err: new Error('connection refused') }, 'request failed');
    expect(terminal.text()).toMatch(/Error: connection refused\n\s+at /);
  });

  it('given a pipe or a file, when a line is logged, then it is one JSON object with level, ISO time, service and message', () => {
    const pipe = destination(false);
    createLogger('info', pipe).info({ orderId: 'o-42' }, 'fulfillment process started');
    const lines = pipe.text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, service: 'fulfillment-pack', orderId: 'o-42', msg: 'fulfillment process started' });
    expect(new Date(String(line['time'])).toISOString()).toBe(line['time']);
  });

  it('given a level, then lines below it are dropped in either format', () => {
    for (const isTTY of [true, false]) {
      const out = destination(isTTY);
      const log = createLogger('warn', out);
      log.info('not shown');
      log.warn('shown');
      expect(out.text()).not.toContain('not shown');
      expect(out.text()).toContain('shown');
    }
  });
});
