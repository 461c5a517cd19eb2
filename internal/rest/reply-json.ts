import { Buffer } from 'node:buffer';
import { EncodedReply, ReplyMap, ScanReply, Simple, type Reply } from '../command/index.js';
import { binFromBuffer, binFromText, binToBuffer, binToText, isValidUtf8 } from '../store/index.js';
import { decodeReply, type DecodedReply } from '../wire/index.js';

/** How bytes (values, fields, keys) travel in REST JSON. */
export type RestEncoding = 'utf8' | 'base64';

export type JsonValue = null | number | string | boolean | JsonValue[] | { [key: string]: JsonValue };

/**
 * A reply as JSON. Integers are numbers (64-bit ones past 2^53 are decimal strings); nil is
 * null; status replies (`OK`, `PONG`, `hash`) are plain strings; maps are objects; SCAN is
 * `{NextCursor, Count, Keys}`. Bytes are UTF-8 strings when `requested` is `utf8` and every
 * byte string in the reply is valid UTF-8; otherwise the whole reply uses base64, so nothing is
 * mangled and the caller learns which one from `encoding`.
 */
export function replyToJson(reply: Reply, requested: RestEncoding): { value: JsonValue; encoding: RestEncoding } {
  const plain = withoutEncoded(reply);
  const encoding = requested === 'utf8' && allUtf8(plain) ? 'utf8' : 'base64';
  const bytes = encoding === 'utf8' ? binToText : toBase64;
  return { value: render(plain, { value: bytes, name: bytes }), encoding };
}

/**
 * A reply as the Go gokv's REST API wrote it: values base64, but map fields and SCAN keys as
 * text (they were Go strings there); a field that is not valid UTF-8 falls back to base64.
 */
export function replyToGoJson(reply: Reply): JsonValue {
  return render(withoutEncoded(reply), { value: toBase64, name: (bin) => (isValidUtf8(bin) ? binToText(bin) : toBase64(bin)) });
}

const toBase64 = (bin: string): string => binToBuffer(bin).toString('base64');

/** How byte strings are written: `value` for values, `name` for map fields and SCAN keys. */
interface ByteWriters {
  readonly value: (bin: string) => string;
  readonly name: (bin: string) => string;
}

function render(reply: Reply, bytes: ByteWriters): JsonValue {
  if (reply === null || typeof reply === 'number') return reply;
  if (typeof reply === 'string') return bytes.value(reply);
  if (typeof reply === 'bigint') return Number.isSafeInteger(Number(reply)) ? Number(reply) : reply.toString();
  if (Array.isArray(reply)) return reply.map((r) => render(r, bytes));
  if (reply instanceof Simple) return reply.text;
  if (reply instanceof ScanReply) {
    return { NextCursor: reply.cursor, Count: reply.keys.length, Keys: reply.keys.map(bytes.name) };
  }
  if (reply instanceof ReplyMap) {
    // No prototype: a field named "__proto__" must stay an ordinary key.
    const out: Record<string, JsonValue> = Object.create(null) as Record<string, JsonValue>;
    for (const [field, value] of reply.entries) out[bytes.name(field)] = render(value, bytes);
    return out;
  }
  // A forwarded reply nested where withoutEncoded does not look (not produced today).
  return render(fromDecoded(decodeReply(reply.msgpack)), bytes);
}

function allUtf8(reply: Reply): boolean {
  if (typeof reply === 'string') return isValidUtf8(reply);
  if (Array.isArray(reply)) return reply.every(allUtf8);
  if (reply instanceof ScanReply) return reply.keys.every(isValidUtf8);
  if (reply instanceof ReplyMap) return reply.entries.every(([f, v]) => isValidUtf8(f) && allUtf8(v));
  return true;
}

/** Replaces a forwarded (MessagePack) reply by the Reply it encodes, recursively. */
function withoutEncoded(reply: Reply): Reply {
  if (reply instanceof EncodedReply) return fromDecoded(decodeReply(reply.msgpack));
  if (Array.isArray(reply) && reply.some((r) => r instanceof EncodedReply || Array.isArray(r))) {
    return reply.map(withoutEncoded);
  }
  return reply;
}

/**
 * MessagePack as wire/ writes it back to a Reply: bin is bytes, str is a status (or a map key or
 * SCAN key that happened to be valid UTF-8), and a map `{NextCursor, Count: int, Keys}` is SCAN
 * (a hash's values are always bin, never an int, so it cannot be mistaken for one).
 */
export function fromDecoded(d: DecodedReply): Reply {
  if (d === null || typeof d === 'number' || typeof d === 'bigint') return d;
  if (typeof d === 'boolean') return d ? 1 : 0;
  if (typeof d === 'string') return new Simple(d);
  if (Buffer.isBuffer(d)) return binFromBuffer(d);
  if (Array.isArray(d)) return d.map(fromDecoded);
  const asBin = (k: string | Buffer): string => (typeof k === 'string' ? binFromText(k) : binFromBuffer(k));
  const count = d.get('Count');
  const keys = d.get('Keys');
  if (d.size === 3 && typeof count === 'number' && Array.isArray(keys) && d.has('NextCursor')) {
    const cursor = d.get('NextCursor');
    return new ScanReply(typeof cursor === 'string' ? cursor : String(cursor), keys.map((k) => asBin(k as string | Buffer)));
  }
  return new ReplyMap([...d].map(([k, v]) => [asBin(k), fromDecoded(v)] as const));
}
