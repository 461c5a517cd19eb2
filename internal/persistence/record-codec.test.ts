import { describe, expect, it } from 'vitest';
import { decodeChunk, encodeChunk, type SnapshotRecord } from './record-codec.js';
import { FRAME_CHUNK, FRAME_CRC_BYTES, FRAME_HEAD_BYTES, readU64, SnapshotFormatError, writeU64 } from './snapshot-format.js';

const every256 = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));

const RECORDS: SnapshotRecord[] = [
  { key: 'user:1', type: 'hash', value: ['name', 'ada', 'lang', 'ts'], expireAtMs: 0, version: 1_700_000_000_123 },
  { key: 'q', type: 'list', value: ['a', '', 'c'], expireAtMs: 1_700_000_060_000, version: 2 ** 53 - 1 },
  // Every byte value in the key, a field and a value; a value long enough to take the Buffer#write path.
  { key: `\x00${every256}\xff`, type: 'hash', value: [every256, 'x'.repeat(10_000)], expireAtMs: 5, version: 6 },
  // A type this build does not know still round-trips: the codec is generic.
  { key: 's', type: 'string', value: ['\xde\xad\xbe\xef'], expireAtMs: 0, version: 7 },
  { key: '', type: 'list', value: [], expireAtMs: 0, version: 8 },
];

const payloadOf = (frame: Buffer) => frame.subarray(FRAME_HEAD_BYTES, frame.length - FRAME_CRC_BYTES);

describe('record codec', () => {
  it('round-trips keys, type names, byte values, expiry and version exactly', () => {
    const frame = encodeChunk(RECORDS);
    expect(frame[0]).toBe(FRAME_CHUNK);
    expect(frame.readUInt32LE(1)).toBe(RECORDS.length);
    expect(decodeChunk(payloadOf(frame), RECORDS.length, 0)).toEqual(RECORDS);
  });

  it('writes binary strings as one byte per char', () => {
    const frame = encodeChunk([{ key: '\xff\x00', type: 'hash', value: [], expireAtMs: 0, version: 1 }]);
    const payload = payloadOf(frame);
    expect(payload.readUInt32LE(0)).toBe(2);
    expect([...payload.subarray(4, 6)]).toEqual([0xff, 0x00]);
  });

  it.each([
    ['a record cut short', (p: Buffer) => p.subarray(0, p.length - 3), 'runs past the end of its chunk'],
    ['bytes left over', (p: Buffer) => Buffer.concat([p, Buffer.from([0])]), 'bytes left after'],
  ])('reports %s', (_name, damage, message) => {
    const payload = damage(payloadOf(encodeChunk(RECORDS)));
    expect(() => decodeChunk(payload, RECORDS.length, 3)).toThrow(SnapshotFormatError);
    expect(() => decodeChunk(payload, RECORDS.length, 3)).toThrow(message);
  });

  it('refuses an absurd value count before allocating for it', () => {
    const payload = Buffer.from(payloadOf(encodeChunk([{ key: 'k', type: 'list', value: ['a'], expireAtMs: 0, version: 1 }])));
    payload.writeUInt32LE(0xffffffff, 4 + 1 + 1 + 4 + 16); // the value count
    expect(() => decodeChunk(payload, 1, 0)).toThrow('runs past the end of its chunk');
  });

  it.each([0, 1, 2 ** 32 - 1, 2 ** 32, 1_700_000_000_000, 2 ** 53 - 1])('stores %i as an exact u64', (n) => {
    const buf = Buffer.alloc(8);
    writeU64(buf, n, 0);
    expect(buf.readBigUInt64LE(0)).toBe(BigInt(n));
    expect(readU64(buf, 0)).toBe(n);
  });
});
