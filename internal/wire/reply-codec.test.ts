import { describe, expect, it } from 'vitest';
import { ReplyMap, ScanReply, Simple, type Reply } from '../command/index.js';
import { decodeReply, encodeReply, ReplyEncoder } from './index.js';

const bin = (bytes: number[]) => String.fromCharCode(...bytes);

describe('encodeReply', () => {
  it.each<[string, Reply, unknown]>([
    ['nil', null, null],
    ['small int', 5, 5],
    ['negative fixint', -3, -3],
    ['int32', 70000, 70000],
    ['negative int32', -70000, -70000],
    ['int beyond 32 bits', 2 ** 40, 2 ** 40],
    ['bigint int64', 9007199254740993n, 9007199254740993n],
    ['bulk as bin', 'abc', Buffer.from('abc')],
    ['binary bulk', bin([0xff, 0x00, 0x80]), Buffer.from([0xff, 0x00, 0x80])],
    ['status as str', new Simple('OK'), 'OK'],
    ['empty array', [], []],
    ['nested array', ['a', [1, null]], [Buffer.from('a'), [1, null]]],
  ])('encodes %s', (_name, reply, expected) => {
    expect(decodeReply(encodeReply(reply))).toEqual(expected);
  });

  it('answers the small integers of writes with bytes made once, equal to a fresh encoding', () => {
    const fresh = new ReplyEncoder(16);
    for (const n of [-1, 0, 1, 127, 128, 255, 256, 1023]) {
      expect(encodeReply(n)).toEqual(fresh.encode(n));
      expect(encodeReply(n)).toBe(encodeReply(n));
    }
    expect(decodeReply(encodeReply(1024))).toBe(1024);
    expect(decodeReply(encodeReply(-2))).toBe(-2);
    expect(() => encodeReply(0.5)).toThrow('reply integers must be safe integers');
  });

  it('encodes maps with UTF-8 fields as str and other fields as bin', () => {
    const utf8Field = Buffer.from('héllo', 'utf8').toString('latin1');
    const reply = new ReplyMap([
      ['f1', 'v1'],
      [utf8Field, 'v2'],
      [bin([0xc3]), 'v3'],
    ]);
    const decoded = decodeReply(encodeReply(reply)) as Map<unknown, unknown>;
    expect([...decoded.entries()]).toEqual([
      ['f1', Buffer.from('v1')],
      ['héllo', Buffer.from('v2')],
      [Buffer.from([0xc3]), Buffer.from('v3')],
    ]);
  });

  it('encodes SCAN as the Go gokv map', () => {
    const decoded = decodeReply(encodeReply(new ScanReply('123', ['k1', 'k2']))) as Map<string, unknown>;
    expect(Object.fromEntries(decoded)).toEqual({ NextCursor: '123', Count: 2, Keys: ['k1', 'k2'] });
  });

  it.each([31, 32, 255, 256, 65535, 65536, 200_000])('round-trips a %i-byte value', (n) => {
    const value = 'x'.repeat(n);
    expect(decodeReply(encodeReply(value))).toEqual(Buffer.from(value));
    const arr = Array.from({ length: Math.min(n, 70_000) }, (_, i) => i % 100);
    expect((decodeReply(encodeReply(arr)) as unknown[]).length).toBe(arr.length);
  });
});
