import { NetnsLab } from '../helpers/netns.js';
import { ProcessCluster } from '../helpers/process-cluster.js';
import type { Figures } from './figures.js';
import { runProcessScenario, type Scale } from './process-scenarios.js';

export { netnsAvailable } from '../helpers/netns.js';

/**
 * A real partition between node processes, each in its own network namespace (root with
 * `ip netns`): gokv3's cluster link goes down until both sides hold the other dead and writers
 * made progress, then comes back. Clients reach every node throughout (their link is separate).
 */
export async function netnsPartition(scale: Scale): Promise<Figures> {
  const lab = new NetnsLab(3);
  try {
    lab.setUp();
    return await runProcessScenario(
      'netns-partition',
      scale,
      async (cluster, ctx) => {
        const [a, b, c] = cluster.nodes as [typeof cluster.nodes[0], typeof cluster.nodes[0], typeof cluster.nodes[0]];
        lab.isolate(lab.nodes[2]!);
        await cluster.waitForStatus([a, b], c.id, ['dead', 'gone']);
        await cluster.waitForStatus([c], a.id, ['dead', 'gone']);
        ctx.detected();
        await ctx.phase();
        lab.heal();
        await cluster.waitForAlive(cluster.nodes, 3, 60_000);
        ctx.recovered();
      },
      (env) => ProcessCluster.startAt(lab.nodes.map((n) => ({ id: n.id, internal: n.internal, grpc: n.grpc, prefix: lab.exec(n) })), env),
    );
  } finally {
    lab.tearDown();
  }
}
