// Original file: proto/internalpb/internal.proto

import type { HeartbeatNode as _internalpb_HeartbeatNode, HeartbeatNode__Output as _internalpb_HeartbeatNode__Output } from '../internalpb/HeartbeatNode.js';

export interface HeartbeatRequest {
  'peers'?: (_internalpb_HeartbeatNode)[];
  'fromNodeId'?: (string);
}

export interface HeartbeatRequest__Output {
  'peers': (_internalpb_HeartbeatNode__Output)[];
  'fromNodeId': (string);
}
