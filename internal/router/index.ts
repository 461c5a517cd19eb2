// router/ owns where a command runs: locally when this node leads the key (then replication),
// else forwarded to the leader with a hop limit, with replica reads when the leader is
// unreachable, and EXPLAIN (where a key lives, in this node's view). It declares the Forwarder
// it needs; peer/ implements it. It never imports server/, rest/ or node/.
export { Router, type RoutedCommand, type RouterOptions } from './router.js';
export type { ClusterView, Forwarder, HandOffGate, MemberStatus } from './cluster-view.js';
export { scanPosition, scanRange } from './scan-route.js';
export { ClusterWide, type ClusterWideDeps } from './cluster-wide.js';
export { EXPLAIN, Explainer, isExplain, type ExplainDeps } from './explain.js';
