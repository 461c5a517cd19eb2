import { Buffer, constants, isUtf8 } from 'node:buffer';

// A binary string holds one byte per char code (latin1). V8 stores such strings one byte per
// char, so they are the compact, comparable, hashable form of keys, fields and values.

/**
 * Bytes as a JS string, one byte per char code (the same alias as command/reply.ts; declared
 * here too so store/ does not depend on command/, which sits above it).
 */
export type BinStr = string;

/** The longest binary string V8 can hold (2^29 - 24 on 64-bit Node 20): a value's hard ceiling. */
export const MAX_BIN_LENGTH: number = constants.MAX_STRING_LENGTH;

const ASCII = /^[\x00-\x7f]*$/;

/** True when every char code is below 0x80: the text and its UTF-8 bytes are the same string. */
export function isAscii(s: string): boolean {
  return ASCII.test(s);
}

// Node's own latin1 decoder. `toString('latin1', a, b)` checks its arguments first, and
// wrapping a Uint8Array in a Buffer to call it makes an object: 2-3x the cost of decoding a
// 16 B key here (80-100 ns against 90-390 ns), paid for every key and argument a node receives.
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: (this: Uint8Array, start: number, end: number) => string }).latin1Slice;

/** Bytes [start, end) of `buf` as a binary string; latin1 decoding never alters a byte. */
export function binFromRange(buf: Uint8Array, start: number, end: number): BinStr {
  if (end <= start) return '';
  if (latin1Slice !== undefined) return latin1Slice.call(buf, start, end);
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1', start, end);
}

/** All of `buf` as a binary string (one parameter, so `array.map(binFromBuffer)` is safe). */
export function binFromBuffer(buf: Uint8Array): BinStr {
  return binFromRange(buf, 0, buf.length);
}

/**
 * `s` copied into one flat string of its own. V8 may hold a string as a tree of the pieces `+`
 * joined (a 32 B cons cell a piece, no copy) or as a window onto a larger string it was sliced
 * or split from (which it keeps alive whole); a key or value stored so can hold many times its
 * bytes, which memory accounting does not see. Latin1 decoding always copies.
 */
export function flatCopy(s: BinStr): BinStr {
  return binFromBuffer(binToBuffer(s));
}

/** A binary string back to its bytes. */
export function binToBuffer(s: BinStr): Buffer {
  return Buffer.from(s, 'latin1');
}

/** Text to the binary string of its UTF-8 bytes; ASCII text is already its own encoding. */
export function binFromText(text: string): BinStr {
  if (ASCII.test(text)) return text;
  const b = Buffer.from(text, 'utf8');
  return b.toString('latin1');
}

/** A binary string read as UTF-8 text (invalid sequences become U+FFFD, as TextDecoder does). */
export function binToText(s: BinStr): string {
  if (ASCII.test(s)) return s;
  return Buffer.from(s, 'latin1').toString('utf8');
}

/** Whether the bytes of `s` are valid UTF-8 (decides str vs bin in MessagePack maps). */
export function isValidUtf8(s: BinStr): boolean {
  if (ASCII.test(s)) return true;
  return isUtf8(Buffer.from(s, 'latin1'));
}
