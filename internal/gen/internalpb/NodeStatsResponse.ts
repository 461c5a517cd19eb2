// Original file: proto/internalpb/internal.proto

import type { HandOffStats as _internalpb_HandOffStats, HandOffStats__Output as _internalpb_HandOffStats__Output } from '../internalpb/HandOffStats.js';

export interface NodeStatsResponse {
  'nodeId'?: (string);
  'keys'?: (number | string);
  'memoryUsedBytes'?: (number | string);
  'maxMemoryBytes'?: (number | string);
  'opsPerSec'?: (number | string);
  'p99LatencyMs'?: (number | string);
  'eventLoopDelayMs'?: (number | string);
  'uptimeMs'?: (number | string);
  'handOff'?: (_internalpb_HandOffStats | null);
  'tombstoneBytes'?: (number | string);
}

export interface NodeStatsResponse__Output {
  'nodeId': (string);
  'keys': (number);
  'memoryUsedBytes': (number);
  'maxMemoryBytes': (number);
  'opsPerSec': (number);
  'p99LatencyMs': (number);
  'eventLoopDelayMs': (number);
  'uptimeMs': (number);
  'handOff': (_internalpb_HandOffStats__Output | null);
  'tombstoneBytes': (number);
}
