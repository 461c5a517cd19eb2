import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { LEN, ProtoReader, ProtoWriter, varintSize } from './proto-io.js';

// A reader over part of a buffer (a nested message) must stop at its own end, not the buffer's:
// the bytes after it belong to the enclosing message, and reading them would decode garbage.
describe('ProtoReader over a range of a larger buffer', () => {
  it('refuses a varint that runs past the range end, though the buffer goes on', () => {
    // [0x08, 0x80] is the range: a tag, then a varint whose continuation bit points past the end.
    // The byte after the range would complete it.
    const buf = Buffer.from([0x08, 0x80, 0x01, 0x00]);
    const r = new ProtoReader(buf, 0, 2);
    expect(r.nextField()).toBe(true);
    expect(() => r.varint()).toThrow(new RangeError('truncated varint'));
  });

  it('refuses a length-delimited field one byte longer than the range', () => {
    const buf = Buffer.from([0x0a, 2, 0x41, 0x42]);
    const r = new ProtoReader(buf, 0, 3);
    expect(r.nextField()).toBe(true);
    expect(r.wireType).toBe(LEN);
    expect(() => r.bin()).toThrow(new RangeError('field length past the end of the message'));
    // Exactly to the end is fine.
    const whole = new ProtoReader(buf, 0, 4);
    whole.nextField();
    expect(whole.bin()).toBe('AB');
    expect(whole.nextField()).toBe(false);
  });

  it('reads a nested message only up to its length, and the enclosing one goes on after it', () => {
    // Field 1: a nested message of 2 bytes ([0x10, 7]: field 2 = 7), then field 3 = 9 outside it.
    const buf = Buffer.from([0x0a, 2, 0x10, 7, 0x18, 9]);
    const r = new ProtoReader(buf);
    r.nextField();
    const nested = r.message();
    expect(nested.nextField()).toBe(true);
    expect([nested.field, nested.varint()]).toEqual([2, 7]);
    expect(nested.nextField()).toBe(false);
    expect(r.nextField()).toBe(true);
    expect([r.field, r.varint()]).toEqual([3, 9]);
  });
});

describe('ProtoReader values', () => {
  it('reads varints of every size up to a full uint32, as the writer writes them', () => {
    for (const n of [0, 1, 127, 128, 300, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 32 - 1]) {
      const w = new ProtoWriter(Buffer.alloc(varintSize(n)));
      w.varint(n);
      expect(w.at, String(n)).toBe(w.buf.length);
      const r = new ProtoReader(w.buf);
      expect(r.varint(), String(n)).toBe(n);
      expect(r.at).toBe(w.buf.length);
    }
  });

  it('refuses a double with 7 of its 8 bytes inside the range', () => {
    const buf = Buffer.alloc(9);
    buf[0] = (1 << 3) | 1;
    buf.writeDoubleLE(1.5, 1);
    const whole = new ProtoReader(buf);
    whole.nextField();
    expect(whole.doubleOr(0)).toBe(1.5);
    const r = new ProtoReader(buf, 0, 8);
    r.nextField();
    expect(() => r.doubleOr(0)).toThrow(new RangeError('double past the end of the message'));
  });
});
