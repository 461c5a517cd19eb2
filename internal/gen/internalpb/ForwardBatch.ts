// Original file: proto/internalpb/internal.proto

import type { ForwardedCommand as _internalpb_ForwardedCommand, ForwardedCommand__Output as _internalpb_ForwardedCommand__Output } from '../internalpb/ForwardedCommand.js';

export interface ForwardBatch {
  'commands'?: (_internalpb_ForwardedCommand)[];
  'fromNodeId'?: (string);
  'fromIncarnation'?: (number | string);
}

export interface ForwardBatch__Output {
  'commands': (_internalpb_ForwardedCommand__Output)[];
  'fromNodeId': (string);
  'fromIncarnation': (number);
}
