import { EncodedReply, ReplyMap, ScanReply, Simple, type Reply } from '../command/index.js';
import { binFromBuffer, binFromText } from '../store/index.js';
import { decodeReply, type DecodedReply } from '../wire/index.js';
import { NIL, NULL3, arrayHeader, bulk, integer, mapHeader, simple } from './encode.js';

/**
 * A command's reply as Redis sends it in RESP2: integers as `:n`, bytes as bulk strings, nil as
 * `$-1`, statuses as `+OK`, arrays as arrays; a map (HGETALL, gokv's HGET) as the flat array
 * [f1, v1, f2, v2, ...]; SCAN as [cursor, [keys]]. With `resp3` (after HELLO 3), as Redis
 * answers RESP3: nil is `_` and a map is a map (`%n`). A reply forwarded from another node
 * arrives as MessagePack and is rendered from its decoded form the same way.
 */
export function replyToResp(reply: Reply, resp3 = false): string {
  if (typeof reply === 'string') return bulk(reply);
  if (typeof reply === 'number' || typeof reply === 'bigint') return integer(reply);
  if (reply === null) return resp3 ? NULL3 : NIL;
  if (Array.isArray(reply)) {
    let out = arrayHeader(reply.length);
    for (const item of reply) out += replyToResp(item, resp3);
    return out;
  }
  if (reply instanceof Simple) return simple(reply.text);
  if (reply instanceof ReplyMap) {
    let out = resp3 ? mapHeader(reply.entries.length) : arrayHeader(reply.entries.length * 2);
    for (const [field, value] of reply.entries) out += bulk(field) + replyToResp(value, resp3);
    return out;
  }
  if (reply instanceof ScanReply) {
    let out = `*2\r\n${bulk(reply.cursor)}${arrayHeader(reply.keys.length)}`;
    for (const key of reply.keys) out += bulk(key);
    return out;
  }
  if (reply instanceof EncodedReply) return decodedToResp(decodeReply(reply.msgpack), true, resp3);
  throw new TypeError('unsupported reply value');
}

/**
 * A reply of [field, value] pairs (HRANDFIELD WITHVALUES) as RESP2 clients get it from Redis:
 * one flat array [f1, v1, f2, v2, ...]. A forwarded one is decoded first; anything else (an
 * empty array) renders as is.
 */
export function flatPairsToResp(reply: Reply): string {
  const pairs: unknown = reply instanceof EncodedReply ? decodeReply(reply.msgpack) : reply;
  if (!Array.isArray(pairs) || !pairs.every((p) => Array.isArray(p))) return replyToResp(reply);
  let out = arrayHeader(pairs.length * 2);
  for (const pair of pairs as unknown[][]) {
    for (const item of pair) out += bulk(typeof item === 'string' ? item : binFromBuffer(item as Uint8Array));
  }
  return out;
}

/**
 * MessagePack as wire/ writes a Reply: bin is bytes; str is a status at the top level (OK,
 * PONG, hash) and text elsewhere (a map field or SCAN key that is valid UTF-8); a map
 * `{NextCursor, Count, Keys}` is SCAN (a hash's values are bin, never an integer like Count).
 */
function decodedToResp(d: DecodedReply, top: boolean, resp3: boolean): string {
  if (d === null) return resp3 ? NULL3 : NIL;
  if (typeof d === 'number' || typeof d === 'bigint') return integer(d);
  if (typeof d === 'boolean') return integer(d ? 1 : 0);
  if (typeof d === 'string') return top ? simple(d) : bulk(binFromText(d));
  if (Buffer.isBuffer(d)) return bulk(binFromBuffer(d));
  if (Array.isArray(d)) {
    let out = arrayHeader(d.length);
    for (const item of d) out += decodedToResp(item, false, resp3);
    return out;
  }
  const count = d.get('Count');
  const keys = d.get('Keys');
  if (d.size === 3 && typeof count === 'number' && Array.isArray(keys) && d.has('NextCursor')) {
    return `*2\r\n${decodedToResp(d.get('NextCursor') ?? '0', false, resp3)}${decodedToResp(keys, false, resp3)}`;
  }
  let out = resp3 ? mapHeader(d.size) : arrayHeader(d.size * 2);
  for (const [field, value] of d) out += decodedToResp(field, false, resp3) + decodedToResp(value, false, resp3);
  return out;
}
