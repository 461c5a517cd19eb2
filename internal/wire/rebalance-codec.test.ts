import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { binFromBuffer as bin, binToBuffer as bytes } from '../store/index.js';
import type { FetchKeysResponse__Output } from '../gen/internalpb/FetchKeysResponse.js';
import type { FetchRangeResponse__Output } from '../gen/internalpb/FetchRangeResponse.js';
import type { RebalanceRequest__Output } from '../gen/internalpb/RebalanceRequest.js';
import type { KeyStateFields } from './key-state-codec.js';
import { loadProtos } from './protos.js';
import {
  decodeFetchKeysResponse,
  decodeFetchRangeResponse,
  decodeRebalanceRequest,
  encodeFetchKeysResponse,
  encodeFetchRangeResponse,
  encodeRebalanceRequest,
  type ReceivedRebalanceRequest,
} from './rebalance-codec.js';
import { binOf, lcg } from './testing/random.js';
import { keyStateFromProto, keyStateToProto } from './testing/key-state-proto.js';

// proto-loader's codec for the same messages is the reference for the bytes on the wire.
const service = loadProtos().internal.internalpb.InternalServer.service;

const num = (rand: () => number) => (rand() < 0.2 ? 0 : Math.floor(rand() * 2 ** 52));

function randomState(rand: () => number): KeyStateFields {
  const kind = rand();
  if (kind < 0.2) return { key: binOf(rand, 30), type: '', value: [], expireAtMs: 0, version: num(rand), deleted: true };
  const type = kind < 0.6 ? 'hash' : kind < 0.9 ? 'list' : 'string';
  const n = type === 'string' ? 1 : 2 * Math.floor(rand() * 6);
  const value = Array.from({ length: n }, () => binOf(rand, 300));
  return { key: binOf(rand, 30), type, value, expireAtMs: num(rand), version: num(rand), deleted: false };
}

function randomRequest(rand: () => number): ReceivedRebalanceRequest {
  const some = <T>(make: () => T): T[] => (rand() < 0.4 ? [] : Array.from({ length: Math.floor(rand() * 5) }, make));
  return {
    fromNodeId: rand() < 0.1 ? '' : 'nœud-2',
    states: some(() => randomState(rand)),
    confirm: some(() => ({ key: binOf(rand, 30), version: num(rand) })),
    done: some(() => ({ from: Math.floor(rand() * 2 ** 32), to: 2 ** 32 })),
    relayed: rand() < 0.3,
  };
}

describe('RebalanceRequest codec', () => {
  it('writes what proto-loader reads, and reads what it writes', () => {
    const rand = lcg(11);
    for (let i = 0; i < 300; i++) {
      const m = randomRequest(rand);
      const theirs = service.Rebalance.requestDeserialize(encodeRebalanceRequest(m)) as RebalanceRequest__Output;
      expect({
        fromNodeId: theirs.fromNodeId,
        states: theirs.states.map(keyStateFromProto),
        confirm: theirs.confirm.map((d) => ({ key: bin(d.key), version: d.version })),
        done: theirs.done.map((a) => ({ from: a.from, to: a.to })),
        relayed: theirs.relayed,
      }).toEqual(m);
      const proto = {
        fromNodeId: m.fromNodeId,
        states: m.states.map(keyStateToProto),
        confirm: m.confirm.map((d) => ({ key: bytes(d.key), version: d.version })),
        done: [...m.done],
        relayed: m.relayed,
      };
      expect(decodeRebalanceRequest(service.Rebalance.requestSerialize(proto))).toEqual(m);
    }
  });

  it('encodes a message with only some fields, and skips the Go gokv commands', () => {
    expect(decodeRebalanceRequest(encodeRebalanceRequest({ fromNodeId: 'a' }))).toEqual({ fromNodeId: 'a', states: [], confirm: [], done: [], relayed: false });
    const withCommands = service.Rebalance.requestSerialize({ commands: [{ command: 'HSET', key: 'k', args: [Buffer.from('f')] }], fromNodeId: 'go' });
    expect(decodeRebalanceRequest(withCommands)).toEqual({ fromNodeId: 'go', states: [], confirm: [], done: [], relayed: false });
  });

  it('carries a hash of 200k fields, every byte value included', () => {
    const value: string[] = [];
    for (let i = 0; i < 200_000; i++) value.push(`f${i}`, String.fromCharCode(i % 256, 255 - (i % 256)));
    const state = { key: 'big\u0000\u00ff', type: 'hash', value, expireAtMs: 1_800_000_000_000, version: 7, deleted: false };
    const back = decodeRebalanceRequest(encodeRebalanceRequest({ fromNodeId: 'a', states: [state] }));
    expect(back.states).toEqual([state]);
  });

  it('refuses malformed requests with a RangeError, and never throws anything else', () => {
    for (const bad of [[0x12, 4, 0x0a], [0x12, 2, 0x0a, 9], [0x1a], [0x22, 1, 0x11]]) {
      expect(() => decodeRebalanceRequest(Buffer.from(bad)), JSON.stringify(bad)).toThrow(RangeError);
    }
    const rand = lcg(12);
    const good = encodeRebalanceRequest({ ...randomRequest(rand), states: [randomState(rand), randomState(rand)] });
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(good);
      for (let k = 0; k < 3; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      try {
        decodeRebalanceRequest(b.subarray(0, Math.floor(rand() * (b.length + 1))));
      } catch (err) {
        expect(err).toBeInstanceOf(RangeError);
      }
    }
  });
});

describe('FetchKeysResponse and FetchRangeResponse codecs', () => {
  it('write what proto-loader reads, and read what it writes', () => {
    const rand = lcg(13);
    for (let i = 0; i < 200; i++) {
      const states = Array.from({ length: Math.floor(rand() * 5) }, () => randomState(rand));
      const deferred = Array.from({ length: Math.floor(rand() * 3) }, () => binOf(rand, 20));
      const keys = { states, deferred };
      const theirKeys = service.FetchKeys.responseDeserialize(encodeFetchKeysResponse(keys)) as FetchKeysResponse__Output;
      expect({ states: theirKeys.states.map(keyStateFromProto), deferred: theirKeys.deferred.map(bin) }).toEqual(keys);
      const keysProto = { states: states.map(keyStateToProto), deferred: deferred.map(bytes) };
      expect(decodeFetchKeysResponse(service.FetchKeys.responseSerialize(keysProto))).toEqual(keys);

      const range = { states, next: Math.floor(rand() * 2 ** 32), stillFrom: rand() < 0.5 ? [] : ['b', 'nœud-3'] };
      const theirRange = service.FetchRange.responseDeserialize(encodeFetchRangeResponse(range)) as FetchRangeResponse__Output;
      expect({ states: theirRange.states.map(keyStateFromProto), next: theirRange.next, stillFrom: theirRange.stillFrom }).toEqual(range);
      const rangeProto = { states: states.map(keyStateToProto), next: range.next, stillFrom: range.stillFrom };
      expect(decodeFetchRangeResponse(service.FetchRange.responseSerialize(rangeProto))).toEqual(range);
    }
  });

  it('refuse malformed answers with a RangeError', () => {
    for (const bad of [[0x0a, 3, 0x0a, 5, 0], [0x0a], [0x12, 1]]) {
      expect(() => decodeFetchKeysResponse(Buffer.from(bad)), JSON.stringify(bad)).toThrow(RangeError);
      expect(() => decodeFetchRangeResponse(Buffer.from(bad)), JSON.stringify(bad)).toThrow(RangeError);
    }
  });
});
