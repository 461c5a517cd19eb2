// membership/ owns the member table and its merge rules (pure), the gossip failure detector
// (suspect -> dead -> forgotten, with an event-loop pause guard) and the gossip rounds, join via
// seeds and graceful leave. It emits member changes; node/ rebuilds the ring from them.
// Imports only clock/, errors/ and log/: never ring/, peer/ or any gRPC (HeartbeatSender is
// declared here and implemented by peer/).
export * from './member.js';
export { MemberTable } from './member-table.js';
export { detectFailures, PauseGuard, type DetectorTimings } from './detector.js';
export type { HeartbeatSender, Seed } from './transport.js';
export {
  resolveGossiperOptions,
  DEFAULT_PROBE_EVERY_ROUNDS,
  DEFAULT_STALL_FACTOR,
  type GossiperOptions,
  type ResolvedGossiperOptions,
} from './options.js';
export { pickTargets, type TargetChoice } from './peer-selection.js';
export { Gossiper, type GossiperDeps, type GossipStats } from './gossiper.js';
// Simulation tooling (tests, benchmarks): many gossipers on a network supplied by the caller.
export { Simulation, type SimNetwork, type SimulationDeps, type SimulationOptions } from './simulation.js';
export {
  measureDissemination,
  SIM_OPTIONS,
  type DisseminationOptions,
  type DisseminationResult,
} from './dissemination.js';
