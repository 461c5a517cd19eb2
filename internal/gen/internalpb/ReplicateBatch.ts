// Original file: proto/internalpb/internal.proto

import type { ReplicateOp as _internalpb_ReplicateOp, ReplicateOp__Output as _internalpb_ReplicateOp__Output } from '../internalpb/ReplicateOp.js';

export interface ReplicateBatch {
  'leaderId'?: (string);
  'ops'?: (_internalpb_ReplicateOp)[];
}

export interface ReplicateBatch__Output {
  'leaderId': (string);
  'ops': (_internalpb_ReplicateOp__Output)[];
}
