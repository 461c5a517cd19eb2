import { describe, expect, it } from 'vitest';
import type { ClientPool } from '../peer/index.js';
import { grpcForwarder, grpcReplicaTransport } from './grpc-adapters.js';

/** A pool whose channels cannot be created, as grpc-js refuses a target it cannot parse. */
const brokenPool = {
  get(addr: string) {
    throw new Error(`Could not parse target name "${addr}"`);
  },
} as unknown as ClientPool;

describe('gRPC adapters over a peer address no channel can be made to', () => {
  it('forwarding rejects as an unreachable peer instead of throwing out of the caller', async () => {
    const forwarder = grpcForwarder(brokenPool, () => 'bad');
    let result: Promise<unknown> | undefined;
    expect(() => (result = forwarder.forward('m1', { name: 'GET', key: 'k', args: [], hops: 0, replicaRead: false }))).not.toThrow();
    await expect(result).rejects.toMatchObject({ code: 'UNAVAILABLE', maybeApplied: false, message: expect.stringMatching(/m1.*Could not parse/) });
  });

  it('a replication stream opens closed, with the reason, so its link retries later', async () => {
    const stream = grpcReplicaTransport(brokenPool, () => 'bad').open('m1');
    const reason = await new Promise<string>((resolve) => stream.onClose(resolve));
    expect(reason).toMatch(/m1.*Could not parse/);
  });
});
