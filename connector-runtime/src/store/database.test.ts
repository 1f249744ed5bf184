import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { serverThatTerminatesOnReady } from '../../../test/helpers/terminating-postgres';
import { TransientError } from '../errors';
import { createPool, withTransaction } from './database';

describe('createPool idle-connection errors', () => {
  it('reports an idle connection lost while the pool is open, and stays silent once it is ending', async () => {
    const reported: string[] = [];
    // no connection is ever made: the pool is only given errors as pg-pool emits them
    const pool = createPool('postgres://nobody@127.0.0.1:1/none', { onIdleError: (error) => reported.push(error.message) });
    pool.emit('error', new Error('terminating connection due to administrator command'));
    await pool.end();
    pool.emit('error', new Error('terminating connection due to administrator command'));
    expect(reported).toEqual(['terminating connection due to administrator command']);
  });
});

describe('withTransaction and a connection dropped mid-transaction', () => {
  it('given the server drops the checked-out connection while work awaits something else, then the error is heard, the transaction fails as transient and the client is destroyed', async () => {
    // A checked-out pg client: pg-pool has removed its own error listener, so an unheard 'error' would throw.
    let closed = false;
    const client = Object.assign(new EventEmitter(), {
      query: async (text: string) => {
        if (closed) throw Object.assign(new Error('Client has encountered a connection error and is not queryable'), { code: undefined });
        return { rows: [], text };
      },
      released: [] as (Error | boolean | undefined)[],
      release(error?: Error | boolean) {
        this.released.push(error);
      },
    });
    const pool = { connect: async () => client } as unknown as pg.Pool;
    const dropped = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

    const result = withTransaction(pool, async (tx) => {
      // the server restarts while the work waits on another system (no statement running)
      closed = true;
      expect(() => client.emit('error', dropped)).not.toThrow();
      await tx.query('update outbox set published_at = now()');
    });

    await expect(result).rejects.toBeInstanceOf(TransientError);
    expect(client.released).toEqual([dropped]);
    expect(client.listenerCount('error')).toBe(0);
  });
});

describe('createPool and a connection terminated as soon as it is ready', () => {
  it('given the server reports a new connection ready and terminated in one read, then withTransaction fails as transient and the process hears the error', async () => {
    const server = await serverThatTerminatesOnReady();
    const pool = createPool(server.url, { max: 1 });
    try {
      // pg-pool hands the client over between the two messages; the error used to be emitted
      // before withTransaction could listen, and an unheard 'error' ends the process.
      await expect(withTransaction(pool, async () => undefined)).rejects.toBeInstanceOf(TransientError);
      await expect(withTransaction(pool, async () => undefined)).rejects.toBeInstanceOf(TransientError);
    } finally {
      await pool.end();
      await server.close();
    }
  });
});
