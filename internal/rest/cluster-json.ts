import type { MemberFigures } from './dashboard-deps.js';
import type { NodeSummary, RestCommandService } from './deps.js';
import { handOffJson } from './hand-off-json.js';

/**
 * `GET /v1/cluster`: this node's figures, the ring version and every member it knows. With
 * `figures` (when the node serves the dashboard), each member also carries the figures it
 * reported (`null` when it did not answer), and `handOffs` lists the hand-offs running now.
 */
export function clusterJson(
  service: RestCommandService,
  node: NodeSummary,
  ready: boolean,
  figures?: ReadonlyMap<string, MemberFigures>,
) {
  const members = service.members();
  return {
    node: { ...node, ready },
    ringVersion: service.ringVersion(),
    members: members.map((m) => ({
      id: m.id,
      status: m.status,
      alive: m.status === 'alive',
      incarnation: m.incarnation,
      grpcAddr: m.grpcAddr,
      restAddr: m.restAddr,
      internalAddr: m.internalAddr,
      ...(m.keys === undefined ? {} : { keys: m.keys }),
      ...(m.writesRefused === undefined ? {} : { writesRefused: m.writesRefused }),
      ...(figures === undefined ? {} : { figures: memberFiguresJson(figures.get(m.id)) }),
    })),
    ...(figures === undefined
      ? {}
      : {
          handOffs: members.flatMap((m) => {
            const h = figures.get(m.id)?.handOff;
            return h ? [handOffJson(m.id, h)] : [];
          }),
        }),
  };
}

function memberFiguresJson(f: MemberFigures | undefined) {
  if (f === undefined) return null;
  return {
    keys: f.keys,
    memoryUsedBytes: f.memoryUsedBytes,
    tombstoneBytes: f.tombstoneBytes,
    maxMemoryBytes: f.maxMemoryBytes,
    opsPerSec: f.opsPerSec,
    p99LatencyMs: f.p99LatencyMs,
    eventLoopDelayMs: f.eventLoopDelayMs,
    uptimeMs: f.uptimeMs,
  };
}
