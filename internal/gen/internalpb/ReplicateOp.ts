// Original file: proto/internalpb/internal.proto

import type { KeyState as _internalpb_KeyState, KeyState__Output as _internalpb_KeyState__Output } from '../internalpb/KeyState.js';

export interface ReplicateOp {
  'seq'?: (number | string);
  'command'?: (string);
  'key'?: (Buffer | Uint8Array | string);
  'args'?: (Buffer | Uint8Array | string)[];
  'version'?: (number | string);
  'prevVersion'?: (number | string);
  'state'?: (_internalpb_KeyState | null);
  'evictedVersion'?: (number | string);
}

export interface ReplicateOp__Output {
  'seq': (number);
  'command': (string);
  'key': (Buffer);
  'args': (Buffer)[];
  'version': (number);
  'prevVersion': (number);
  'state': (_internalpb_KeyState__Output | null);
  'evictedVersion': (number);
}
