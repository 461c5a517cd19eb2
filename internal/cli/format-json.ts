import { isUtf8 } from 'node:buffer';
import type { DecodedReply } from '../wire/index.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A reply as plain JSON for scripts: bytes as UTF-8 text when valid, else `{"base64": ...}`;
 * nil as null; maps as objects (SCAN is `{"NextCursor","Count","Keys"}`); integers as numbers
 * while exact, else as decimal strings. A map field that is not valid UTF-8 becomes the
 * object key `base64:<base64 of its bytes>`.
 */
export function toJson(reply: DecodedReply): JsonValue {
  if (reply === null || typeof reply === 'boolean' || typeof reply === 'string') return reply;
  if (typeof reply === 'number') return Number.isFinite(reply) ? reply : String(reply);
  if (typeof reply === 'bigint') {
    return reply >= BigInt(Number.MIN_SAFE_INTEGER) && reply <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(reply)
      : reply.toString();
  }
  if (Buffer.isBuffer(reply)) return isUtf8(reply) ? reply.toString('utf8') : { base64: reply.toString('base64') };
  if (Array.isArray(reply)) return reply.map(toJson);
  // A null-prototype object, so a field named __proto__ is an ordinary key.
  const out = Object.create(null) as { [key: string]: JsonValue };
  for (const [field, value] of reply) out[jsonKey(field)] = toJson(value);
  return out;
}

function jsonKey(field: string | Buffer): string {
  if (typeof field === 'string') return field;
  return isUtf8(field) ? field.toString('utf8') : `base64:${field.toString('base64')}`;
}

/** One JSON document and a newline; `pretty` indents by two spaces as the Go gokv-cli did. */
export function formatJson(value: JsonValue, pretty: boolean): string {
  return `${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`;
}
