import type { NodeSummary, RestCommandService } from './deps.js';

/** `GET /v1/cluster`: this node's figures, the ring version and every member it knows. */
export function clusterJson(service: RestCommandService, node: NodeSummary, ready: boolean) {
  return {
    node: { ...node, ready },
    ringVersion: service.ringVersion(),
    members: service.members().map((m) => ({
      id: m.id,
      status: m.status,
      alive: m.status === 'alive',
      incarnation: m.incarnation,
      grpcAddr: m.grpcAddr,
      restAddr: m.restAddr,
      internalAddr: m.internalAddr,
      ...(m.keys === undefined ? {} : { keys: m.keys }),
    })),
  };
}
