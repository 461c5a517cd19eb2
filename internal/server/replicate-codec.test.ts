import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { lcg } from '../wire/testing/random.js';
import type { ReplicationAck, ReplicationOp } from '../replication/index.js';
import { binFromBuffer as bin, binToBuffer as bytes } from '../store/index.js';
import { loadProtos } from '../wire/index.js';
import { keyStateFromProto, keyStateToProto } from '../wire/testing/key-state-proto.js';
import { decodeReplicateAck, decodeReplicateBatch, encodeReplicateAck, encodeReplicateBatch } from './replicate-codec.js';
import type { ReplicateAck, ReplicateAck__Output } from '../gen/internalpb/ReplicateAck.js';
import type { ReplicateBatch__Output } from '../gen/internalpb/ReplicateBatch.js';
import type { ReplicateOp, ReplicateOp__Output } from '../gen/internalpb/ReplicateOp.js';

// proto-loader's codec for the same messages is the reference for the bytes on the wire; these
// map its objects to gokv's (what the nodes did before the hand-written codec).
const replicate = loadProtos().internal.internalpb.InternalServer.service.Replicate;

function opToProto(op: ReplicationOp): ReplicateOp {
  if (op.state) return { seq: op.seq, state: keyStateToProto(op.state) };
  if (op.evicted) return { seq: op.seq, key: bytes(op.evicted.key), evictedVersion: op.evicted.version };
  const w = op.write!;
  return { seq: op.seq, command: w.name, key: bytes(w.key), args: w.args.map(bytes), version: w.version, prevVersion: w.prevVersion };
}

function opFromProto(op: ReplicateOp__Output): ReplicationOp {
  if (op.state) return { seq: op.seq, state: keyStateFromProto(op.state) };
  // A live key's version is never 0, so proto3's default marks an op that is no eviction.
  if (op.evictedVersion !== 0) return { seq: op.seq, evicted: { key: bin(op.key), version: op.evictedVersion } };
  return {
    seq: op.seq,
    write: { name: op.command, key: bin(op.key), args: op.args.map(bin), version: op.version, prevVersion: op.prevVersion },
  };
}

const ackToProto = (a: ReplicationAck): ReplicateAck => ({ ackedSeq: a.ackedSeq, resyncKeys: a.resyncKeys.map(bytes) });
const ackFromProto = (a: ReplicateAck__Output): ReplicationAck => ({ ackedSeq: a.ackedSeq, resyncKeys: a.resyncKeys.map(bin) });

function randomOps(rand: () => number, n: number): ReplicationOp[] {
  const bin = (max: number) => String.fromCharCode(...Array.from({ length: Math.floor(rand() * max) }, () => Math.floor(rand() * 256)));
  const num = () => (rand() < 0.2 ? 0 : Math.floor(rand() * 2 ** 52));
  return Array.from({ length: n }, (_, i): ReplicationOp => {
    const seq = i + 1 + Math.floor(rand() * 1e9);
    const kind = rand();
    if (kind < 0.1) return { seq, evicted: { key: bin(40), version: 1 + Math.floor(rand() * 2 ** 52) } };
    if (kind < 0.6) {
      const args = Array.from({ length: Math.floor(rand() * 5) }, () => bin(300));
      return { seq, write: { name: rand() < 0.5 ? 'HSET' : 'PEXPIREAT', key: bin(40) || 'k', args, version: num(), prevVersion: num() } };
    }
    const deleted = kind > 0.85;
    const value = deleted ? [] : Array.from({ length: Math.floor(rand() * 6) }, () => bin(100));
    return {
      seq,
      state: { key: bin(40) || 'k', type: deleted ? '' : rand() < 0.5 ? 'hash' : 'list', value, expireAtMs: num(), version: num(), deleted },
    };
  });
}

describe('ReplicateBatch codec', () => {
  it('writes what proto-loader reads, and reads what it writes', () => {
    const rand = lcg(5);
    for (let i = 0; i < 200; i++) {
      const ops = randomOps(rand, Math.floor(rand() * 8));
      const leaderId = `node-${i}-é`;
      const theirs = replicate.requestDeserialize(encodeReplicateBatch({ leaderId, ops })) as ReplicateBatch__Output;
      expect(theirs.leaderId).toBe(leaderId);
      expect(theirs.ops.map(opFromProto)).toEqual(ops);
      const ours = decodeReplicateBatch(replicate.requestSerialize({ leaderId, ops: ops.map(opToProto) }));
      expect(ours).toEqual({ leaderId, ops });
    }
  });

  it('round-trips a leader\'s eviction as its own op, beside writes and states', () => {
    const ops: ReplicationOp[] = [
      { seq: 1, write: { name: 'HSET', key: 'h', args: ['f', 'v'], version: 10, prevVersion: 0 } },
      { seq: 2, evicted: { key: 'h', version: 10 } },
      { seq: 3, evicted: { key: '\xff\x00k', version: 2 ** 52 + 1 } },
      { seq: 4, state: { key: 'l', type: 'list', value: ['a'], expireAtMs: 0, version: 7, deleted: false } },
    ];
    expect(decodeReplicateBatch(encodeReplicateBatch({ leaderId: 'n1', ops }))).toEqual({ leaderId: 'n1', ops });
  });

  it('decodes an empty batch, and a write with no fields set, to the proto3 defaults', () => {
    expect(decodeReplicateBatch(Buffer.alloc(0))).toEqual({ leaderId: '', ops: [] });
    expect(decodeReplicateBatch(Buffer.from([0x12, 0])).ops).toEqual([
      { seq: 0, write: { name: '', key: '', args: [], version: 0, prevVersion: 0 } },
    ]);
  });

  it('skips unknown fields, and a known field sent with another wire type', () => {
    // Field 8 (an eviction's version, a double) sent as a varint: skipped, so the op stays a write.
    const op = [(1 << 3) | 1, ...new Array<number>(8).fill(0), (3 << 3) | 2, 1, 0x6b, (9 << 3) | 0, 7, (5 << 3) | 0, 3, (8 << 3) | 0, 4];
    const batch = Buffer.from([(15 << 3) | 5, 1, 2, 3, 4, 0x12, op.length, ...op]);
    expect(decodeReplicateBatch(batch).ops).toEqual([{ seq: 0, write: { name: '', key: 'k', args: [], version: 0, prevVersion: 0 } }]);
  });

  it('refuses malformed batches with a RangeError, and never throws anything else', () => {
    for (const bad of [[0x12, 5, 0], [0x12, 3, 0x09, 1, 2], [0x0a], [0x12, 2, 0x3a, 9]]) {
      expect(() => decodeReplicateBatch(Buffer.from(bad)), JSON.stringify(bad)).toThrow(RangeError);
    }
    const rand = lcg(9);
    const good = encodeReplicateBatch({ leaderId: 'a', ops: randomOps(rand, 4) });
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(good);
      for (let k = 0; k < 3; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      const cut = b.subarray(0, Math.floor(rand() * (b.length + 1)));
      try {
        decodeReplicateBatch(cut);
      } catch (err) {
        expect(err).toBeInstanceOf(RangeError);
      }
    }
  });
});

describe('ReplicateAck codec', () => {
  it('writes what proto-loader reads, and reads what it writes', () => {
    const acks: ReplicationAck[] = [
      { ackedSeq: 0, resyncKeys: [] },
      { ackedSeq: 12345, resyncKeys: ['a', '\xff\x00', ''] },
      { ackedSeq: 2 ** 52 + 1, resyncKeys: ['k'.repeat(300)] },
    ];
    for (const a of acks) {
      expect(ackFromProto(replicate.responseDeserialize(encodeReplicateAck(a)) as ReplicateAck__Output)).toEqual(a);
      expect(decodeReplicateAck(replicate.responseSerialize(ackToProto(a)))).toEqual(a);
    }
  });
});
