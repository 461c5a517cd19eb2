import type * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { GokvNode } from '../internal/node/index.js';
import { text } from './helpers/client.js';
import { keyLedBy, startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

let cluster: InProcessCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('a node stopping with an open StreamCommand', () => {
  it('answers every command it ran, runs no more, and ends the stream UNAVAILABLE', async () => {
    cluster = await startCluster(2, { cluster: { replicas: 0 } });
    const [stopping, other] = cluster.nodes as [GokvNode, GokvNode];
    const key = await keyLedBy(cluster, other, 'n'); // each INCR is forwarded: 256 stay in flight
    const call = cluster.clients[0]!.raw.StreamCommand();
    let replies = 0;
    let inBandErrors = 0;
    const ended = new Promise<grpc.ServiceError | 'end'>((resolve) => {
      call.on('data', (r: { error: string }) => {
        if (r.error) inBandErrors++;
        else replies++;
        call.write({ command: 'INCR', key, args: [] });
      });
      call.on('error', resolve);
      call.on('end', () => resolve('end'));
    });
    for (let i = 0; i < 256; i++) call.write({ command: 'INCR', key, args: [] });
    await expect.poll(() => replies, { timeout: 10_000 }).toBeGreaterThan(1000);
    const stopped = stopping.stop();
    const end = await ended;
    await stopped;
    // Not CANCELLED with its commands in flight run but unanswered: the client learns that
    // the commands after the last reply were not run, and may send them elsewhere.
    expect(end).toMatchObject({ code: 14, details: expect.stringMatching(/stopping/) });
    expect(inBandErrors).toBe(0);
    expect(Number(text(await cluster.clients[1]!.run('GET', key)))).toBe(replies);
  }, 30_000);
});
