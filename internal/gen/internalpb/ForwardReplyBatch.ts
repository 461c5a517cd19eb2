// Original file: proto/internalpb/internal.proto

import type { ForwardReply as _internalpb_ForwardReply, ForwardReply__Output as _internalpb_ForwardReply__Output } from '../internalpb/ForwardReply.js';

export interface ForwardReplyBatch {
  'replies'?: (_internalpb_ForwardReply)[];
}

export interface ForwardReplyBatch__Output {
  'replies': (_internalpb_ForwardReply__Output)[];
}
