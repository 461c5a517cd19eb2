import { afterAll, beforeAll, describe, it } from 'vitest';
import { ProcessCluster } from '../helpers/process-cluster.js';
import { NetnsLab, netnsAvailable } from '../helpers/netns.js';
import { runProcessScenario } from './process-scenarios.js';

// A real partition between node processes, each in its own network namespace (root with
// `ip netns` only; skipped otherwise): gokv3's cluster link goes down until both sides hold the
// other dead and writers made progress, then comes back. Clients reach every node throughout
// (their link is separate), so the minority's refusals are seen as a client sees them.

const available = netnsAvailable();
const scale = { writes: Number(process.env.FAULT_WRITES ?? 200) };
let lab: NetnsLab | undefined;

beforeAll(() => {
  if (!available) return;
  lab = new NetnsLab(3);
  try {
    lab.setUp();
  } catch (err) {
    lab.tearDown();
    throw err;
  }
});
afterAll(() => lab?.tearDown());

describe.skipIf(!available)('a real partition in network namespaces (3 node processes, replicas 1)', () => {
  it('isolates one node, heals, converges, and loses no acknowledged write', async () => {
    const l = lab!;
    await runProcessScenario(
      'netns-partition',
      scale,
      async (cluster, ctx) => {
        const [a, b, c] = cluster.nodes as [typeof cluster.nodes[0], typeof cluster.nodes[0], typeof cluster.nodes[0]];
        l.isolate(l.nodes[2]!);
        await cluster.waitForStatus([a, b], c.id, ['dead', 'gone']);
        await cluster.waitForStatus([c], a.id, ['dead', 'gone']);
        ctx.detected();
        await ctx.phase();
        l.heal();
        await cluster.waitForAlive(cluster.nodes, 3, 60_000);
        ctx.recovered();
      },
      (env) => ProcessCluster.startAt(l.nodes.map((n) => ({ id: n.id, internal: n.internal, grpc: n.grpc, prefix: l.exec(n) })), env),
    );
  }, 300_000);
});
