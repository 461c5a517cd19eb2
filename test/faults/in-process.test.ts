import { describe, expect, it } from 'vitest';
import { joinLeaveStorm, lossyLinks, runInProcessScenario } from './in-process-scenarios.js';
import { minorityAccepts, minorityRefuses } from './partition-checks.js';
import { runCopiesScenario } from './copies-scenario.js';

// `npm run test:faults`: faults injected into node-to-node messages of in-process nodes, and
// join/leave storms (a short run of some is in test/fault-smoke.test.ts, part of `npm test`).

const scale = { writes: Number(process.env.FAULT_WRITES ?? 200) };

describe('faults on node-to-node links (in-process nodes, replicas 1)', () => {
  it('message loss, delay and duplication', () => runInProcessScenario('lossy-links', scale, lossyLinks), 180_000);
  it('partition: the minority refuses writes, nothing acknowledged is lost', () => minorityRefuses(scale), 180_000);
  it('partition with minority_writes: accept: losses only inside the window', () => minorityAccepts(scale), 180_000);
  it('join storm then leave storm', () => runInProcessScenario('join-leave-storm', scale, joinLeaveStorm), 180_000);
});

describe('copies converge (in-process nodes, sync replication)', () => {
  const seeds = (process.env.COPIES_SEEDS ?? '1').split(',').map(Number);
  const opsPerPhase = Number(process.env.COPIES_OPS ?? 400);
  it.each([1, 2])('every key equal on its owners and nowhere else after joins, a leave and a crash (replicas %i)', async (replicas) => {
    for (const seed of seeds) {
      const ttlMs = Number(process.env.COPIES_TTL_MS ?? 1_000);
      const quickRestart = process.env.COPIES_QUICK_RESTART === '1';
      const maxMemoryBytes = Number(process.env.COPIES_MAX_MEMORY ?? 0);
      const report = await runCopiesScenario({ seed, replicas, opsPerPhase, ttlMs, quickRestart, maxMemoryBytes });
      expect(report.divergent.slice(0, 10)).toEqual([]);
      // A replica's own eviction is its copy's loss (docs/architecture.md), not a divergence.
      if (maxMemoryBytes === 0) expect(report.missingOnReplica.slice(0, 10)).toEqual([]);
      expect(report.leftBehind.slice(0, 10)).toEqual([]);
    }
  }, 300_000);
});

