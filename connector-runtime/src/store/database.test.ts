import { describe, expect, it } from 'vitest';
import { createPool } from './database';

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
