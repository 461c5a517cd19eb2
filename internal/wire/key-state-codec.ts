import type { BinStr } from '../store/index.js';
import { DOUBLE_FIELD_SIZE, LEN, ProtoReader, ProtoWriter, VARINT, binFieldsSize, lenFieldSize, textFieldSize } from './proto-io.js';

// internalpb.KeyState, read and written by hand: a key's whole state travels in it (hand-off,
// resync, pulls), and proto-loader's codec made a Buffer of every field and value, then a
// protobufjs object of the lot. For a hash of a million fields that was millions of short-lived
// objects per message, and the collector's work stalled both nodes for seconds. This writes the
// binary strings straight into the message and reads them straight out of it.

/**
 * A key's full state on the wire (a hand-off, a pull's answer, a replica's resync): `type` is
 * 'hash', 'list' or 'string' for a live key (hash values flat [f1, v1, ...], list values head to
 * tail, a string as [bytes]), `expireAtMs` absolute (0 = none); a deleted key travels as
 * `deleted: true` with its tombstone's version, so a delete is never undone.
 */
export interface KeyStateFields {
  readonly key: BinStr;
  readonly type: string;
  readonly value: readonly BinStr[];
  readonly expireAtMs: number;
  readonly version: number;
  readonly deleted: boolean;
}

/** Bytes of an encoded KeyState (without its own tag and length). */
export function keyStateSize(s: KeyStateFields): number {
  const deleted = s.deleted ? 2 : 0;
  return lenFieldSize(s.key.length) + textFieldSize(s.type) + binFieldsSize(s.value) + 2 * DOUBLE_FIELD_SIZE + deleted;
}

/** Writes a KeyState's fields (its tag and length, of keyStateSize, written before). */
export function writeKeyState(w: ProtoWriter, s: KeyStateFields): void {
  w.bin(1, s.key);
  w.text(2, s.type);
  const { value } = s;
  for (let i = 0; i < value.length; i++) w.bin(3, value[i]!);
  w.double(4, s.expireAtMs);
  w.double(5, s.version);
  if (s.deleted) w.bool(6, true);
}

/** Writes KeyStates as repeated field `field` of the message `w` is filling. */
export function writeKeyStates(w: ProtoWriter, field: number, states: readonly KeyStateFields[], sizes: readonly number[]): void {
  for (let i = 0; i < states.length; i++) {
    w.message(field, sizes[i]!);
    writeKeyState(w, states[i]!);
  }
}

/** Reads a KeyState from a reader over its bytes. Throws a RangeError on malformed bytes. */
export function readKeyState(s: ProtoReader): KeyStateFields {
  let key = '';
  let type = '';
  const value: BinStr[] = [];
  let expireAtMs = 0;
  let version = 0;
  let deleted = false;
  while (s.nextField()) {
    const { field, wireType } = s;
    if (field === 1 && wireType === LEN) key = s.bin();
    else if (field === 2 && wireType === LEN) type = s.text();
    else if (field === 3 && wireType === LEN) value.push(s.bin());
    else if (field === 4) expireAtMs = s.doubleOr(expireAtMs);
    else if (field === 5) version = s.doubleOr(version);
    else if (field === 6 && wireType === VARINT) deleted = s.varint() !== 0;
    else s.skip(wireType);
  }
  return { key, type, value, expireAtMs, version, deleted };
}
