// Original file: proto/internalpb/internal.proto

import type { CommandRequest as _commonpb_CommandRequest, CommandRequest__Output as _commonpb_CommandRequest__Output } from '../commonpb/CommandRequest.js';
import type { KeyState as _internalpb_KeyState, KeyState__Output as _internalpb_KeyState__Output } from '../internalpb/KeyState.js';
import type { KeyDigest as _internalpb_KeyDigest, KeyDigest__Output as _internalpb_KeyDigest__Output } from '../internalpb/KeyDigest.js';
import type { HandedArc as _internalpb_HandedArc, HandedArc__Output as _internalpb_HandedArc__Output } from '../internalpb/HandedArc.js';

export interface RebalanceRequest {
  'commands'?: (_commonpb_CommandRequest)[];
  'states'?: (_internalpb_KeyState)[];
  'fromNodeId'?: (string);
  'confirm'?: (_internalpb_KeyDigest)[];
  'done'?: (_internalpb_HandedArc)[];
  'relayed'?: (boolean);
}

export interface RebalanceRequest__Output {
  'commands': (_commonpb_CommandRequest__Output)[];
  'states': (_internalpb_KeyState__Output)[];
  'fromNodeId': (string);
  'confirm': (_internalpb_KeyDigest__Output)[];
  'done': (_internalpb_HandedArc__Output)[];
  'relayed': (boolean);
}
