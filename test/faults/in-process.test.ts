import { describe, it } from 'vitest';
import { joinLeaveStorm, lossyLinks, runInProcessScenario } from './in-process-scenarios.js';
import { minorityAccepts, minorityRefuses } from './partition-checks.js';

// `npm run test:faults`: faults injected into node-to-node messages of in-process nodes, and
// join/leave storms (a short run of some is in test/fault-smoke.test.ts, part of `npm test`).

const scale = { writes: Number(process.env.FAULT_WRITES ?? 200) };

describe('faults on node-to-node links (in-process nodes, replicas 1)', () => {
  it('message loss, delay and duplication', () => runInProcessScenario('lossy-links', scale, lossyLinks), 180_000);
  it('partition: the minority refuses writes, nothing acknowledged is lost', () => minorityRefuses(scale), 180_000);
  it('partition with minority_writes: accept: losses only inside the window', () => minorityAccepts(scale), 180_000);
  it('join storm then leave storm', () => runInProcessScenario('join-leave-storm', scale, joinLeaveStorm), 180_000);
});
