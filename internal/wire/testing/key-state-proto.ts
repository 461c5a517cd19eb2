import type { KeyState, KeyState__Output } from '../../gen/internalpb/KeyState.js';
import { binFromBuffer as bin, binToBuffer as bytes } from '../../store/index.js';
import type { KeyStateFields } from '../key-state-codec.js';

// A key state as proto-loader's objects: the reference the hand-written codecs' tests compare
// against (what the nodes sent before those codecs).

export function keyStateToProto(s: KeyStateFields): KeyState {
  return { key: bytes(s.key), type: s.type, value: s.value.map(bytes), expireAtMs: s.expireAtMs, version: s.version, deleted: s.deleted };
}

export function keyStateFromProto(s: KeyState__Output): KeyStateFields {
  return { key: bin(s.key), type: s.type, value: s.value.map(bin), expireAtMs: s.expireAtMs, version: s.version, deleted: s.deleted };
}
