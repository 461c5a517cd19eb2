// rebalance/ owns moving keys to their new owners after a ring change (DESIGN.md section 8): the
// pure plan (which arcs this node sends, to whom, and which copies it drops), the executor
// (debounce, chunked hand-off with acks, retries, version-checked forgetting, graceful leave),
// the receiving merge, and pull-on-miss: Arrivals (the new owner pulls a key it has not been
// handed yet) and Departures (the previous owner answers and forwards that key's commands).
// L2: imports ring/, store/, clock/, log/, errors/ only; never gRPC, peer/, node/, router/ or
// replication/. It declares the RebalanceSink it needs; node/ plugs in the gRPC calls.
export { planFromPlacements, planHandOff, planLeave, planStrays } from './plan.js';
export type { ArcRole, HandOffPlan, PlannedArc } from './plan.js';
export { Rebalancer } from './executor.js';
export { nothingToHand } from './hand-off.js';
export { Arrivals, type ArrivalsDeps, type ArrivalsOptions } from './arrivals.js';
export { answerFetch, answerRange, answerScan, Departures } from './departures.js';
export { PendingRanges, type PendingSegment } from './pending-ranges.js';
export { MovedKeys } from './moved-keys.js';
export {
  DEFAULT_CHUNK_KEYS,
  DEFAULT_LEAVE_TIMEOUT_MS,
  DEFAULT_RESEND_ROUNDS,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_RETRY_MAX_MS,
} from './options.js';
export type { RebalanceProgress, RebalancerDeps, RebalancerOptions } from './options.js';
export type { Confirmation, Fetched, HandedArc, HandOffReceiver, HandOffState, KeyDigest, RangeKeys, RebalanceSink } from './sink.js';
export { estimateBytes, fromWire, mergeStates, missingKeys, toWire } from './states.js';
export { receiveHandOff, strayPositions, type StrayDeps, type StrayOptions } from './strays.js';
