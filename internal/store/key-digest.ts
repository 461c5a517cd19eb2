import { createHash } from 'node:crypto';
import type { BinStr } from './bytes.js';
import type { Store } from './store.js';

/**
 * One copy of a key as this node's store holds it, reduced to what replicas must agree on:
 * version, type, absolute expiry and a digest of the value. For checkers and debugging only
 * (the fault suite compares these across nodes); it reads the local store, never routes.
 */
export interface KeyDigestView {
  readonly key: BinStr;
  /** False when the store holds no live copy (a tombstone counts as absent, with its version). */
  readonly exists: boolean;
  /** 0 when neither a copy nor a tombstone is held. */
  readonly version: number;
  readonly type: string;
  readonly expireAtMs: number;
  /** sha1 hex of the value; hash fields sorted, so insertion order does not matter. '' if absent. */
  readonly digest: string;
}

export function keyDigest(store: Store, key: BinStr): KeyDigestView {
  const state = store.exportKey(key);
  if (state === undefined || state.deleted === true) {
    return { key, exists: false, version: state?.version ?? 0, type: '', expireAtMs: 0, digest: '' };
  }
  const parts: string[] = [];
  if (state.type === 'hash') {
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i + 1 < state.value.length; i += 2) pairs.push([state.value[i]!, state.value[i + 1]!]);
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [f, v] of pairs) parts.push(f, v);
  } else parts.push(...state.value);
  const hash = createHash('sha1');
  // Length-prefixed, so ["ab","c"] and ["a","bc"] differ.
  for (const p of parts) hash.update(`${p.length}:`).update(p, 'latin1');
  return { key, exists: true, version: state.version, type: state.type, expireAtMs: state.expireAtMs, digest: hash.digest('hex') };
}
