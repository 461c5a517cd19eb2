import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ClientPool } from './client-pool.js';
import { TransportError } from './transport-error.js';

const options = { timeoutMs: 1000, maxMessageBytes: 4 << 20, maxForwardBatch: 64 };

describe('ClientPool', () => {
  it('reuses one client per address, and a dropped peer that comes back gets a new one', async () => {
    const pool = new ClientPool(grpc.credentials.createInsecure(), options);
    try {
      const a = pool.get('127.0.0.1:1');
      expect(pool.get('127.0.0.1:1')).toBe(a);
      expect(pool.get('127.0.0.1:2')).not.toBe(a);
      pool.drop('127.0.0.1:1');
      // The dropped client is closed: handed out again, every call to the rejoined peer would fail.
      const again = pool.get('127.0.0.1:1');
      expect(again).not.toBe(a);
      expect(pool.get('127.0.0.1:1')).toBe(again);
    } finally {
      pool.close();
    }
  });
});

describe('TransportError', () => {
  it('is "maybe applied" and reachable unless told otherwise: a lost reply must not be retried as unsent', () => {
    const err = new TransportError('p', 'reply lost');
    expect(err).toMatchObject({ code: 'UNAVAILABLE', transport: true, maybeApplied: true, unreachable: false });
    expect(err.message).toBe('UNAVAILABLE peer p: reply lost');
    expect(new TransportError('p', 'refused', { maybeApplied: false })).toMatchObject({ maybeApplied: false });
  });
});
