// node/ is the composition root: it builds store, membership, peers, router, replication and
// servers from a Config, starts them in dependency order and stops them in reverse. Only cmd/
// imports it.
export { startNode, type GokvNode, type NodeDeps } from './create-node.js';
export { NO_HAND_OFF, type HandOffProgress, type HandOffProvider } from './hand-off-provider.js';
export type { FaultChannel, LinkFaults, MessageFate } from './fault-injection.js';
