// Original file: proto/internalpb/internal.proto

import type { Long } from '@grpc/proto-loader';

export interface HeartbeatNode {
  'nodeId'?: (string);
  'nodeInternalAddr'?: (string);
  'nodeExternalAddr'?: (string);
  'alive'?: (boolean);
  'lastSeen'?: (number | string | Long);
  'status'?: (string);
  'incarnation'?: (number | string);
  'heartbeat'?: (number | string);
  'nodeRestAddr'?: (string);
}

export interface HeartbeatNode__Output {
  'nodeId': (string);
  'nodeInternalAddr': (string);
  'nodeExternalAddr': (string);
  'alive': (boolean);
  'lastSeen': (string);
  'status': (string);
  'incarnation': (number);
  'heartbeat': (number);
  'nodeRestAddr': (string);
}
