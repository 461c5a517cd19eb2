import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GokvError } from '../internal/errors/index.js';
import { grpcReplicaTransport } from '../internal/node/grpc-adapters.js';
import { ClientPool } from '../internal/peer/index.js';
import type { ReplicationAck, ReplicationOp } from '../internal/replication/index.js';
import type { InternalService } from '../internal/server/index.js';
import { serveInternal } from './helpers/internal-server.js';

// The Replicate call over the real internal gRPC path: a batch the replica applies
// asynchronously (a large state built over several turns) holds the batches behind it, so a
// write never applies ahead of the state it follows, and acks come back in the order sent.

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function serve(applyReplication: InternalService['applyReplication']): Promise<string> {
  const { address, stop } = await serveInternal({ applyReplication });
  stops.push(stop);
  return address;
}

function streamTo(addr: string) {
  const pool = new ClientPool(grpc.credentials.createInsecure(), { timeoutMs: 2000, maxMessageBytes: 1 << 20, maxForwardBatch: 64 });
  stops.push(async () => pool.close());
  const stream = grpcReplicaTransport(pool, () => addr).open('replica');
  const acks: ReplicationAck[] = [];
  const closed: string[] = [];
  stream.onAck((ack) => acks.push(ack));
  stream.onClose((reason) => closed.push(reason));
  return { stream, acks, closed };
}

const write = (seq: number, key: string): ReplicationOp => ({ seq, write: { name: 'HSET', key, args: ['f', String(seq)], version: seq, prevVersion: seq - 1 } });

describe('Replicate over gRPC', () => {
  it('applies the batches behind an asynchronous one only once it settled, and acks in order', async () => {
    const applied: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const addr = await serve((_leader, ops) => {
      const seq = ops[ops.length - 1]!.seq;
      if (seq === 1) {
        return held.then(() => {
          applied.push(seq);
          return { ackedSeq: seq, resyncKeys: [] };
        });
      }
      applied.push(seq);
      return { ackedSeq: seq, resyncKeys: ['again'] };
    });
    const { stream, acks, closed } = streamTo(addr);
    stream.send('leader', [write(1, 'k')]);
    stream.send('leader', [write(2, 'k')]);
    stream.send('leader', [write(3, 'k')]);
    // Time for batches 2 and 3 to reach the server and be held.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(applied).toEqual([]);
    expect(acks).toEqual([]);
    release();
    await vi.waitFor(() => expect(acks.map((a) => a.ackedSeq)).toEqual([1, 2, 3]), { timeout: 10_000 });
    expect(applied).toEqual([1, 2, 3]);
    expect(acks[1]!.resyncKeys).toEqual(['again']);
    // The stream goes on after it: reading resumed.
    stream.send('leader', [write(4, 'k')]);
    await vi.waitFor(() => expect(acks.map((a) => a.ackedSeq)).toEqual([1, 2, 3, 4]), { timeout: 10_000 });
    expect(closed).toEqual([]);
  });

  it('breaks the stream when an asynchronous batch fails, and applies nothing behind it', async () => {
    const applied: number[] = [];
    const addr = await serve((_leader, ops) => {
      const seq = ops[ops.length - 1]!.seq;
      if (seq === 1) return new Promise<ReplicationAck>((_resolve, reject) => setTimeout(() => reject(new GokvError('INTERNAL', 'INTERNAL malformed hash key state')), 100));
      applied.push(seq);
      return { ackedSeq: seq, resyncKeys: [] };
    });
    const { stream, acks, closed } = streamTo(addr);
    stream.send('leader', [write(1, 'k')]);
    stream.send('leader', [write(2, 'k')]);
    await vi.waitFor(() => expect(closed).toEqual([expect.stringContaining('malformed hash key state')]), { timeout: 10_000 });
    expect(acks).toEqual([]);
    expect(applied).toEqual([]);
  });

  it('ends the call with the error of a batch that throws, and applies nothing after it', async () => {
    const applied: number[] = [];
    const addr = await serve((_leader, ops) => {
      const seq = ops[ops.length - 1]!.seq;
      if (seq === 1) throw new GokvError('INTERNAL', 'INTERNAL malformed hash key state');
      applied.push(seq);
      return { ackedSeq: seq, resyncKeys: [] };
    });
    const { stream, acks, closed } = streamTo(addr);
    stream.send('leader', [write(1, 'k')]);
    stream.send('leader', [write(2, 'k')]);
    // Destroyed rather than ended with a status, the call stayed open on the leader's side.
    await vi.waitFor(() => expect(closed).toEqual([expect.stringContaining('malformed hash key state')]), { timeout: 10_000 });
    expect(acks).toEqual([]);
    expect(applied).toEqual([]);
  });
});
