import { describe, it } from 'vitest';
import { netnsAvailable, netnsPartition } from './netns-scenario.js';

// A real partition in network namespaces (see netns-scenario.ts); skipped unless root with ip netns.

const scale = { writes: Number(process.env.FAULT_WRITES ?? 200) };

describe.skipIf(!netnsAvailable())('a real partition in network namespaces (3 node processes, replicas 1)', () => {
  it('isolates one node, heals, converges, and loses no acknowledged write', () => netnsPartition(scale), 300_000);
});
