import { describe, it } from 'vitest';
import { pauseBeyondDeadAfter, quickRestart, restartAfterDeath, rollingRestart, runProcessScenario, sigkillLeader } from './process-scenarios.js';

// `npm run test:faults`: the process scenarios at full length (a short run of some is in
// test/fault-smoke.test.ts, part of `npm test`).

const scale = { writes: Number(process.env.FAULT_WRITES ?? 200) };

describe('faults on node processes (3 nodes, replicas 1)', () => {
  it('SIGKILL of a leader', () => runProcessScenario('sigkill-leader', scale, sigkillLeader), 180_000);
  it('SIGSTOP past dead_after, then SIGCONT', () => runProcessScenario('sigstop-sigcont', scale, pauseBeyondDeadAfter), 180_000);
  it('kill and restart under the same id at once', () => runProcessScenario('quick-restart', scale, quickRestart), 180_000);
  it('kill, declared dead, restart under the same id', () => runProcessScenario('restart-after-death', scale, restartAfterDeath), 180_000);
  it('rolling restart of all three nodes', () => runProcessScenario('rolling-restart', scale, rollingRestart), 300_000);
});
