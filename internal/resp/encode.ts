// RESP2 replies as binary strings (one byte per char code, see store/bytes.ts): the socket
// writes them with `latin1`, so bulk values go out byte for byte with no Buffer per reply.
import { binFromText, type BinStr } from '../store/index.js';

export const CRLF = '\r\n';
export const NIL = '$-1\r\n';
/** RESP2's null array: what Redis sends for LPOP/RPOP with a count on a missing key. */
export const NIL_ARRAY = '*-1\r\n';
export const OK_REPLY = '+OK\r\n';
/** RESP3's one null, for both of RESP2's (after HELLO 3). */
export const NULL3 = '_\r\n';
export const EMPTY_ARRAY = '*0\r\n';

/** A status (`+OK`); text is UTF-8 and may not hold CR or LF (they become spaces). */
export function simple(text: string): string {
  return `+${binFromText(oneLine(text))}\r\n`;
}

/** An error (`-ERR ...`); the message starts with its code as Redis's do. */
export function error(message: string): string {
  return `-${binFromText(oneLine(message))}\r\n`;
}

export function integer(n: number | bigint): string {
  return `:${n}\r\n`;
}

/** A bulk string of bytes. */
export function bulk(bytes: BinStr): string {
  return `$${bytes.length}\r\n${bytes}\r\n`;
}

/** A bulk string of UTF-8 text (INFO, CLIENT INFO). */
export function bulkText(text: string): string {
  return bulk(binFromText(text));
}

export function arrayHeader(length: number): string {
  return `*${length}\r\n`;
}

/** RESP3's map of `pairs` key-value pairs (HGETALL, CONFIG GET, HELLO after HELLO 3). */
export function mapHeader(pairs: number): string {
  return `%${pairs}\r\n`;
}

/** An array of already encoded items. */
export function array(items: readonly string[]): string {
  return arrayHeader(items.length) + items.join('');
}

/** An array of bulk strings (nil for null). */
export function bulkArray(items: ReadonlyArray<BinStr | null>): string {
  let out = arrayHeader(items.length);
  for (const item of items) out += item === null ? NIL : bulk(item);
  return out;
}

const oneLine = (text: string): string => (/[\r\n]/.test(text) ? text.replace(/[\r\n]+/g, ' ') : text);
