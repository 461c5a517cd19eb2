// Original file: proto/internalpb/internal.proto

import type { KeyState as _internalpb_KeyState, KeyState__Output as _internalpb_KeyState__Output } from '../internalpb/KeyState.js';

export interface FetchKeysResponse {
  'states'?: (_internalpb_KeyState)[];
  'deferred'?: (Buffer | Uint8Array | string)[];
}

export interface FetchKeysResponse__Output {
  'states': (_internalpb_KeyState__Output)[];
  'deferred': (Buffer)[];
}
