import { GokvError } from '../errors/index.js';
import type { KeyState, LiveKeyState, StoredEntry } from './entry.js';
import type { BinStr } from './bytes.js';
import { HashValue } from './hash-value.js';
import { ListValue } from './list-value.js';
import { StringValue } from './string-value.js';
import { HASH_FIELD_OVERHEAD_BYTES, LIST_ELEMENT_OVERHEAD_BYTES } from './memory.js';

/** A live entry's transfer state: hash as [f1, v1, ...], list head to tail, string as [bytes]. */
export function stateOf(e: StoredEntry): LiveKeyState {
  // Every entry is its own value (see StoredEntry).
  const value = e instanceof HashValue ? e.toFlat() : e instanceof StringValue ? [e.text] : (e as ListValue).toArray();
  return { type: e.type, value, expireAtMs: e.expireAtMs, version: e.version };
}

/**
 * Whether `e` holds exactly the live `state` (type, expiry and value; a hash's fields in any
 * order), without building e's state: a copy sent again (a retried hand-off, a second previous
 * owner) is recognised in one pass, where ordering both states to compare them sorted a large
 * hash's fields twice.
 */
export function entryHolds(e: StoredEntry, state: LiveKeyState): boolean {
  if (e.type !== state.type || e.expireAtMs !== state.expireAtMs) return false;
  const value = state.value;
  if (e instanceof HashValue) {
    if (value.length !== 2 * e.size) return false;
    // Equal sizes and every incoming pair present: the same pairs. (A malformed state that
    // repeats a field can pass too; it is then refused as not newer, which keeps e.)
    for (let i = 0; i + 1 < value.length; i += 2) if (e.get(value[i]!) !== value[i + 1]) return false;
    return true;
  }
  if (e instanceof StringValue) return value.length === 1 && value[0] === e.text;
  const list = e as ListValue;
  if (value.length !== list.length) return false;
  const items = list.toArray();
  for (let i = 0; i < items.length; i++) if (items[i] !== value[i]) return false;
  return true;
}

/**
 * Hash fields a large hash is built with between two pauses (entryOfInTurns). Building a V8 Map
 * runs at about 1 M fields a second here, so a turn takes a few tens of ms.
 */
export const FIELDS_PER_TURN = 32_768;

/** Whether entryOfInTurns builds `state` over more than one turn: a hash of more than FIELDS_PER_TURN fields. */
export function buildsInTurns(state: KeyState): state is LiveKeyState {
  return state.deleted !== true && state.type === 'hash' && state.value.length > 2 * FIELDS_PER_TURN;
}

/**
 * entryOf, for a state that may be large: a hash of more than FIELDS_PER_TURN fields is built
 * a part at a time, awaiting `pause` between parts. The entry is detached, so nothing sees it
 * until it is merged (Store.mergeKey's `built`), which decides by versions as of then. A hash
 * of 1.5M fields held its receiver's loop 1.8 s while its Map was built in one go.
 */
export async function entryOfInTurns(key: BinStr, state: LiveKeyState, pause: () => Promise<void>): Promise<StoredEntry> {
  const { value } = state;
  if (!buildsInTurns(state) || value.length % 2 !== 0) return entryOf(key, state);
  const h = new HashValue(key);
  for (let i = 0; i < value.length; i += 2) {
    h.set(value[i]!, value[i + 1]!);
    if ((i + 2) % (2 * FIELDS_PER_TURN) === 0) await pause();
  }
  return h;
}

/**
 * Rebuilds a detached entry (no version or expiry yet) from transfer state; a malformed state
 * from a peer is an internal error.
 */
export function entryOf(key: BinStr, state: LiveKeyState): StoredEntry {
  if (state.type === 'list') return new ListValue(key, state.value);
  if (state.type === 'string' && state.value.length === 1) return new StringValue(key, state.value[0]);
  if (state.type !== 'hash' || state.value.length % 2 !== 0) {
    throw new GokvError('INTERNAL', `INTERNAL malformed ${String(state.type)} key state`);
  }
  return HashValue.fromFlat(key, state.value);
}

/**
 * A key state's bytes on the wire (a hand-off or resync KeyState, a FetchKeys answer), from
 * above: per state, more than its tags, type, expiry, version and a message's framing; per
 * string, more than protobuf's tag and length.
 */
export const STATE_WIRE_OVERHEAD_BYTES = 128;
export const VALUE_WIRE_OVERHEAD_BYTES = 8;

/**
 * Room kept under limits.max_message_bytes for what travels beside one key's state: a batch's
 * header and sender id, and what one write may add beyond its arguments' bytes (a number
 * HINCRBYFLOAT formats, up to 5 KiB). A key stays under maxKeyBytes so that it always fits one
 * message and can be replicated, handed off and pulled.
 */
export const KEY_HEADROOM_BYTES = 64 * 1024;

/** The largest a key's state may grow on the wire under `maxMessageBytes` (0 = no bound). */
export function maxKeyBytes(maxMessageBytes: number): number {
  if (maxMessageBytes <= 0) return 0;
  return maxMessageBytes > 2 * KEY_HEADROOM_BYTES ? maxMessageBytes - KEY_HEADROOM_BYTES : Math.floor(maxMessageBytes / 2);
}

/** stateWireBytes of the entry's transfer state, without building it (memory.ts's charges, less their overheads). */
export function entryWireBytes(e: StoredEntry): number {
  const head = STATE_WIRE_OVERHEAD_BYTES + e.key.length;
  if (e instanceof HashValue) {
    const n = e.size;
    return head + e.bytes - n * (HASH_FIELD_OVERHEAD_BYTES - 2 * VALUE_WIRE_OVERHEAD_BYTES);
  }
  if (e instanceof ListValue) {
    return head + e.bytes - e.length * (LIST_ELEMENT_OVERHEAD_BYTES - VALUE_WIRE_OVERHEAD_BYTES);
  }
  return head + (e as StringValue).bytes + VALUE_WIRE_OVERHEAD_BYTES;
}

/** A state's bytes on the wire, from above (see STATE_WIRE_OVERHEAD_BYTES). */
export function stateWireBytes(key: BinStr, value: readonly BinStr[]): number {
  let bytes = STATE_WIRE_OVERHEAD_BYTES + key.length;
  for (let i = 0; i < value.length; i++) bytes += value[i]!.length + VALUE_WIRE_OVERHEAD_BYTES;
  return bytes;
}
