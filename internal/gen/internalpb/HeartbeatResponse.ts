// Original file: proto/internalpb/internal.proto

import type { HeartbeatNode as _internalpb_HeartbeatNode, HeartbeatNode__Output as _internalpb_HeartbeatNode__Output } from '../internalpb/HeartbeatNode.js';

export interface HeartbeatResponse {
  'peers'?: (_internalpb_HeartbeatNode)[];
}

export interface HeartbeatResponse__Output {
  'peers': (_internalpb_HeartbeatNode__Output)[];
}
