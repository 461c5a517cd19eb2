import { describe, it } from 'vitest';
import { lossyLinks, runInProcessScenario } from './faults/in-process-scenarios.js';
import { netnsAvailable, netnsPartition } from './faults/netns-scenario.js';
import { minorityRefuses } from './faults/partition-checks.js';
import { pauseBeyondDeadAfter, quickRestart, runProcessScenario, sigkillLeader } from './faults/process-scenarios.js';

// A short run of the fault suite (test/faults/, `npm run test:faults`) so that `npm test` and
// CI cover it: the same scenarios and checker, with fewer writes per phase.

const scale = { writes: 25 };

describe('fault suite, short run', () => {
  it('SIGKILL of a leader', () => runProcessScenario('sigkill-leader', scale, sigkillLeader), 120_000);
  it('SIGSTOP past dead_after, then SIGCONT', () => runProcessScenario('sigstop-sigcont', scale, pauseBeyondDeadAfter), 120_000);
  it('kill and restart under the same id at once', () => runProcessScenario('quick-restart', scale, quickRestart), 120_000);
  it('message loss, delay and duplication', () => runInProcessScenario('lossy-links', scale, lossyLinks), 120_000);
  it('partition: the minority refuses writes', () => minorityRefuses(scale), 120_000);
  it.skipIf(!netnsAvailable())('a real partition in network namespaces', () => netnsPartition(scale), 120_000);
});
