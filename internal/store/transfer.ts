import { GokvError } from '../errors/index.js';
import type { LiveKeyState, StoredEntry } from './entry.js';
import type { BinStr } from './bytes.js';
import { HashValue } from './hash-value.js';
import { ListValue } from './list-value.js';
import { StringValue } from './string-value.js';

/** A live entry's transfer state: hash as [f1, v1, ...], list head to tail, string as [bytes]. */
export function stateOf(e: StoredEntry): LiveKeyState {
  // Every entry is its own value (see StoredEntry).
  const value = e instanceof HashValue ? e.toFlat() : e instanceof StringValue ? [e.text] : (e as ListValue).toArray();
  return { type: e.type, value, expireAtMs: e.expireAtMs, version: e.version };
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
