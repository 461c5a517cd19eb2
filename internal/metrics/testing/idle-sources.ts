import type { MetricsSources } from '../sources.js';

/** Sources of a node with nothing in it and no peers, for tests that only record commands. */
export function idleSources(): MetricsSources {
  return {
    keys: () => 0,
    usedMemoryBytes: () => 0,
    tombstones: () => ({ count: 0, bytes: 0 }),
    storeCounters: () => ({ expiredKeys: 0, evictedKeys: 0, tombstonesPrunedEarly: 0 }),
    gossip: () => undefined,
    replicationLag: () => new Map(),
    memberStatuses: () => [],
    ringVersion: () => 0,
  };
}
