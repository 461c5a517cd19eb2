import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCliClient, realSleep } from './client.js';
import { startFakeServer, type FakeServer } from './testing/fake-server.js';

describe('the pause between retries', () => {
  afterEach(() => vi.useRealTimers());

  it('ends when its time is up', async () => {
    vi.useFakeTimers();
    let done = false;
    void realSleep(800).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(799);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it('ends at once when the call is cancelled (Ctrl-C), and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    let done = false;
    void realSleep(800, controller.signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('a call cancelled while it waits to retry', () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('hands the pause its signal, so Ctrl-C ends the call without waiting the pause out', async () => {
    server = await startFakeServer({
      answer: () => ({ error: { code: grpc.status.UNAVAILABLE, details: 'UNAVAILABLE no owner reachable', gokvCode: 'UNAVAILABLE' } }),
    });
    const controller = new AbortController();
    // A pause that ends only when aborted: a client that did not hand it the signal would hang.
    const pauses: number[] = [];
    const sleep = (ms: number, signal?: AbortSignal) => {
      pauses.push(ms);
      const paused = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
      controller.abort(); // Ctrl-C during the pause
      return paused;
    };
    const client = createCliClient(
      { uri: server.addr, timeoutMs: 60_000, usesTls: false, hasClientCert: false, credentials: grpc.credentials.createInsecure() },
      sleep,
    );
    try {
      await expect(client.run({ command: 'HSET', key: 'h', args: [Buffer.from('f'), Buffer.from('v')] }, controller.signal)).rejects.toMatchObject({
        message: expect.stringContaining('cancelled'),
      });
      expect(pauses).toHaveLength(1);
      expect(server.calls).toHaveLength(1);
    } finally {
      client.close();
    }
  });
});
