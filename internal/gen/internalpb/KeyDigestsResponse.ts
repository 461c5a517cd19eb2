// Original file: proto/internalpb/internal.proto

import type { KeyDigestEntry as _internalpb_KeyDigestEntry, KeyDigestEntry__Output as _internalpb_KeyDigestEntry__Output } from '../internalpb/KeyDigestEntry.js';

export interface KeyDigestsResponse {
  'entries'?: (_internalpb_KeyDigestEntry)[];
}

export interface KeyDigestsResponse__Output {
  'entries': (_internalpb_KeyDigestEntry__Output)[];
}
