// Original file: proto/internalpb/internal.proto

import type { KeyState as _internalpb_KeyState, KeyState__Output as _internalpb_KeyState__Output } from '../internalpb/KeyState.js';

export interface FetchRangeResponse {
  'states'?: (_internalpb_KeyState)[];
  'next'?: (number | string);
  'stillFrom'?: (string)[];
}

export interface FetchRangeResponse__Output {
  'states': (_internalpb_KeyState__Output)[];
  'next': (number);
  'stillFrom': (string)[];
}
