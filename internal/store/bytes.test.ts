import { describe, expect, it } from 'vitest';
import { binFromBuffer, binFromRange, binFromText, binToBuffer, binToText, isAscii, isValidUtf8 } from './bytes.js';

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('binary strings', () => {
  it('keeps every byte value through buffer -> bin -> buffer', () => {
    const s = binFromBuffer(ALL_BYTES);
    expect(s.length).toBe(256);
    for (let i = 0; i < 256; i++) expect(s.charCodeAt(i)).toBe(i);
    expect([...binToBuffer(s)]).toEqual([...ALL_BYTES]);
  });

  it('reads only the view of a Uint8Array that is a slice of a larger buffer', () => {
    const view = ALL_BYTES.subarray(65, 68);
    expect(binFromBuffer(view)).toBe('ABC');
    expect(binFromBuffer(new Uint8Array(0))).toBe('');
  });

  it('reads a range [start, end) of a Buffer or of a view with an offset', () => {
    const buf = Buffer.from(ALL_BYTES);
    expect(binFromRange(buf, 65, 68)).toBe('ABC');
    expect(binFromRange(ALL_BYTES.subarray(64), 1, 4)).toBe('ABC');
    expect(binFromRange(buf, 250, 256)).toBe('\xfa\xfb\xfc\xfd\xfe\xff');
    expect(binFromRange(buf, 7, 7)).toBe('');
    // As Array.map calls it, with an index and the array: the whole of each buffer.
    expect([ALL_BYTES.subarray(65, 66), ALL_BYTES.subarray(66, 68)].map(binFromBuffer)).toEqual(['A', 'BC']);
  });

  it.each([
    ['ASCII text is its own encoding', 'hello', 'hello'],
    ['two-byte UTF-8', 'é', '\xc3\xa9'],
    ['three-byte UTF-8', '€', '\xe2\x82\xac'],
    ['four-byte UTF-8 (astral)', '😀', '\xf0\x9f\x98\x80'],
    ['mixed', 'aé', 'a\xc3\xa9'],
    ['empty', '', ''],
  ])('binFromText: %s', (_name, text, bin) => {
    expect(binFromText(text)).toBe(bin);
    expect(binToText(bin)).toBe(text);
  });

  it('binToText decodes invalid UTF-8 to U+FFFD instead of throwing', () => {
    expect(binToText('a\xffb')).toBe('a\ufffdb');
  });

  it.each([
    ['ASCII', 'plain', true],
    ['empty', '', true],
    ['valid two-byte', '\xc3\xa9', true],
    ['valid four-byte', '\xf0\x9f\x98\x80', true],
    ['lone continuation byte', '\x80', false],
    ['0xff', '\xff', false],
    ['truncated sequence', '\xc3', false],
    ['overlong encoding of /', '\xc0\xaf', false],
    ['UTF-16 surrogate encoded', '\xed\xa0\x80', false],
    ['above U+10FFFF', '\xf4\x90\x80\x80', false],
  ])('isValidUtf8: %s -> %s', (_name, bin, valid) => {
    expect(isValidUtf8(bin)).toBe(valid);
  });

  it.each([
    ['ascii', 'abc~\x00\x7f', true],
    ['latin1 byte', 'ab\x80', false],
  ])('isAscii: %s', (_name, s, expected) => {
    expect(isAscii(s)).toBe(expected);
  });
});
