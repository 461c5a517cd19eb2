import type { HandOffFigures, NodeFigures } from '../metrics/index.js';
import type { NodeStatsResponse, NodeStatsResponse__Output } from '../gen/internalpb/NodeStatsResponse.js';

export type { HandOffFigures, NodeFigures };

export function figuresToProto(f: NodeFigures): NodeStatsResponse {
  return {
    nodeId: f.id,
    keys: f.keys,
    memoryUsedBytes: f.memoryUsedBytes,
    tombstoneBytes: f.tombstoneBytes,
    maxMemoryBytes: f.maxMemoryBytes,
    opsPerSec: f.opsPerSec,
    // proto3 doubles have no null: -1 says "no figure" (a latency is never negative).
    p99LatencyMs: f.p99LatencyMs ?? -1,
    eventLoopDelayMs: f.eventLoopDelayMs,
    uptimeMs: f.uptimeMs,
    handOff: f.handOff === null ? null : { ...f.handOff },
  };
}

export function figuresFromProto(r: NodeStatsResponse__Output): NodeFigures {
  const h = r.handOff;
  return {
    id: r.nodeId,
    keys: r.keys,
    memoryUsedBytes: r.memoryUsedBytes,
    tombstoneBytes: r.tombstoneBytes,
    maxMemoryBytes: r.maxMemoryBytes,
    opsPerSec: r.opsPerSec,
    p99LatencyMs: r.p99LatencyMs < 0 ? null : r.p99LatencyMs,
    eventLoopDelayMs: r.eventLoopDelayMs,
    uptimeMs: r.uptimeMs,
    handOff:
      h === null
        ? null
        : { keysPlanned: h.keysPlanned, keysSent: h.keysSent, bytesPlanned: h.bytesPlanned, bytesSent: h.bytesSent, elapsedMs: h.elapsedMs },
  };
}
