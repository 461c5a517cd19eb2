import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { binOf, lcg } from './testing/random.js';
import { binFromBuffer as bin, binToBuffer as bytes } from '../store/index.js';
import type { ForwardBatch__Output } from '../gen/internalpb/ForwardBatch.js';
import type { ForwardReplyBatch__Output } from '../gen/internalpb/ForwardReplyBatch.js';
import {
  decodeForwardBatch,
  decodeForwardReplyBatch,
  encodeForwardBatch,
  encodeForwardReplyBatch,
  type ForwardBatchMessage,
  type ForwardReplyBatchMessage,
} from './forward-codec.js';
import { loadProtos } from './protos.js';

// proto-loader's codec for the same messages is the reference for the bytes on the wire.
const forward = loadProtos().internal.internalpb.InternalServer.service.Forward;

function randomBatch(rand: () => number): ForwardBatchMessage {
  const commands = Array.from({ length: Math.floor(rand() * 6) }, (_, i) => ({
    id: i + 1 + Math.floor(rand() * 2 ** 40),
    name: rand() < 0.5 ? 'HSET' : 'LRANGE',
    key: binOf(rand, 40),
    args: Array.from({ length: Math.floor(rand() * 4) }, () => binOf(rand, 200)),
    hops: Math.floor(rand() * 4),
    replicaRead: rand() < 0.3,
  }));
  return { commands, fromNodeId: rand() < 0.2 ? '' : 'nœud-2', fromIncarnation: Math.floor(rand() * 1e6) };
}

function randomReplies(rand: () => number): ForwardReplyBatchMessage {
  return {
    replies: Array.from({ length: Math.floor(rand() * 6) }, (_, i) =>
      rand() < 0.3
        ? { id: i + 1, response: Buffer.alloc(0), error: 'WRONGTYPE Operation against a key holding the wrong kind of value', errorCode: 'WRONGTYPE' }
        : { id: i + 1, response: Buffer.from(binOf(rand, 300), 'latin1'), error: '', errorCode: '' },
    ),
  };
}

describe('ForwardBatch codec', () => {
  it('writes what proto-loader reads, and reads what it writes', () => {
    const rand = lcg(3);
    for (let i = 0; i < 300; i++) {
      const m = randomBatch(rand);
      const theirs = forward.requestDeserialize(encodeForwardBatch(m)) as ForwardBatch__Output;
      expect({
        commands: theirs.commands.map((c) => ({ id: c.id, name: c.command, key: bin(c.key), args: c.args.map(bin), hops: c.hops, replicaRead: c.replicaRead })),
        fromNodeId: theirs.fromNodeId,
        fromIncarnation: theirs.fromIncarnation,
      }).toEqual(m);
      const proto = {
        commands: m.commands.map((c) => ({ id: c.id, command: c.name, key: bytes(c.key), args: c.args.map(bytes), hops: c.hops, replicaRead: c.replicaRead })),
        fromNodeId: m.fromNodeId,
        fromIncarnation: m.fromIncarnation,
      };
      expect(decodeForwardBatch(forward.requestSerialize(proto))).toEqual(m);
    }
  });

  it('decodes an empty batch to the proto3 defaults', () => {
    expect(decodeForwardBatch(Buffer.alloc(0))).toEqual({ commands: [], fromNodeId: '', fromIncarnation: 0 });
    expect(decodeForwardBatch(Buffer.from([0x0a, 0])).commands).toEqual([{ id: 0, name: '', key: '', args: [], hops: 0, replicaRead: false }]);
  });

  it('reads a bool as any non-zero varint, and skips hops or replicaRead sent with another wire type', () => {
    const command = (...fields: number[][]) => {
      const body = fields.flat();
      return decodeForwardBatch(Buffer.from([0x0a, body.length, ...body])).commands[0]!;
    };
    // proto3 bool: any non-zero value is true, as proto-loader reads it.
    expect(command([(6 << 3) | 0, 2]).replicaRead).toBe(true);
    expect(command([(6 << 3) | 0, 0]).replicaRead).toBe(false);
    // hops as a fixed32 and replicaRead as a length-delimited field: skipped, defaults kept.
    expect(command([(5 << 3) | 5, 3, 0, 0, 0], [(6 << 3) | 2, 1, 1], [(5 << 3) | 0, 2])).toMatchObject({ hops: 2, replicaRead: false });
    expect(command([(5 << 3) | 5, 9, 0, 0, 0])).toMatchObject({ hops: 0 });
  });

  it('refuses malformed batches with a RangeError, and never throws anything else', () => {
    for (const bad of [[0x0a, 4, 0x09], [0x0a, 2, 0x12, 9], [0x12], [0x19, 1, 2]]) {
      expect(() => decodeForwardBatch(Buffer.from(bad)), JSON.stringify(bad)).toThrow(RangeError);
    }
    const rand = lcg(8);
    const good = encodeForwardBatch(randomBatch(rand));
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(good);
      for (let k = 0; k < 3; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        decodeForwardBatch(b.subarray(0, Math.floor(rand() * (b.length + 1))));
      } catch (err) {
        expect(err).toBeInstanceOf(RangeError);
      }
    }
  });
});

describe('ForwardReplyBatch codec', () => {
  it('writes what proto-loader reads, and reads what it writes', () => {
    const rand = lcg(4);
    for (let i = 0; i < 300; i++) {
      const m = randomReplies(rand);
      const theirs = forward.responseDeserialize(encodeForwardReplyBatch(m)) as ForwardReplyBatch__Output;
      expect({ replies: theirs.replies.map((r) => ({ ...r, response: Buffer.from(r.response) })) }).toEqual(m);
      const ours = decodeForwardReplyBatch(forward.responseSerialize({ replies: [...m.replies] }));
      expect({ replies: ours.replies.map((r) => ({ ...r, response: Buffer.from(r.response!) })) }).toEqual(m);
    }
  });

  it('refuses malformed replies with a RangeError', () => {
    for (const bad of [[0x0a, 3, 0x12, 5, 0], [0x0a], [0x0a, 1, 0x09]]) {
      expect(() => decodeForwardReplyBatch(Buffer.from(bad)), JSON.stringify(bad)).toThrow(RangeError);
    }
  });
});
