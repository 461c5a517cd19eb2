// Original file: proto/internalpb/internal.proto

import type { CommandRequest as _commonpb_CommandRequest, CommandRequest__Output as _commonpb_CommandRequest__Output } from '../commonpb/CommandRequest.js';
import type { KeyState as _internalpb_KeyState, KeyState__Output as _internalpb_KeyState__Output } from '../internalpb/KeyState.js';

export interface RebalanceRequest {
  'commands'?: (_commonpb_CommandRequest)[];
  'states'?: (_internalpb_KeyState)[];
}

export interface RebalanceRequest__Output {
  'commands': (_commonpb_CommandRequest__Output)[];
  'states': (_internalpb_KeyState__Output)[];
}
