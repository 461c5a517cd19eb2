import { isVerdict, type MemberChange } from './member.js';
import type { MemberTable } from './member-table.js';

/** The failure detector's timings, all counted on the local monotonic clock. */
export interface DetectorTimings {
  /** No progress for this long: suspect (still in the ring). */
  readonly suspectAfterMs: number;
  /** No progress for this long (from the last progress, not from the suspicion): dead. */
  readonly deadAfterMs: number;
  /** Dead or left members are forgotten this long after their last progress. */
  readonly forgetDeadAfterMs: number;
}

/**
 * Scales the timings with the cluster size as memberlist does (`log10`, never below x1): x1 up to
 * 10 live members, x2 at 100, x3 at 1000. A heartbeat needs about log N rounds to reach everyone,
 * so the gap between two progress observations grows with N; fixed timeouts tuned for a few
 * nodes would make a large cluster suspect (and refute) healthy members all the time.
 */
export function scaleTimings(timings: DetectorTimings, liveMembers: number): DetectorTimings {
  const factor = Math.max(1, Math.log10(Math.max(1, liveMembers)));
  if (factor === 1) return timings;
  return {
    suspectAfterMs: timings.suspectAfterMs * factor,
    deadAfterMs: timings.deadAfterMs * factor,
    forgetDeadAfterMs: timings.forgetDeadAfterMs * factor,
  };
}

/**
 * One pass of the gossip failure detector (van Renesse et al.): a pure function of the table and
 * the local monotonic time. Mutates the table through its methods and returns what changed.
 * Verdicts are based only on how long a member's (incarnation, heartbeat) has not advanced here,
 * never on another node's clock, and never on a failed RPC.
 */
export function detectFailures(table: MemberTable, nowMs: number, timings: DetectorTimings): MemberChange[] {
  const changes: MemberChange[] = [];
  const forget: string[] = [];
  const selfId = table.selfId;
  for (const row of table.values()) {
    const { id, status } = row.entry;
    if (id === selfId) continue;
    const silentMs = nowMs - row.progressAtMs;
    if (isVerdict(status)) {
      if (silentMs >= timings.forgetDeadAfterMs) forget.push(id);
      continue;
    }
    let to: 'suspect' | 'dead' | undefined;
    if (silentMs >= timings.deadAfterMs) to = 'dead';
    else if (silentMs >= timings.suspectAfterMs && status === 'alive') to = 'suspect';
    if (to === undefined) continue;
    const change = table.setStatus(id, to, nowMs);
    if (change !== undefined) changes.push(change);
  }
  for (const id of forget) {
    const change = table.forget(id, nowMs);
    if (change !== undefined) changes.push(change);
  }
  table.purgeTombstones(nowMs, timings.forgetDeadAfterMs);
  return changes;
}

/**
 * Event-loop pause guard. Fed the monotonic time of every local tick; when the gap since the
 * previous tick exceeds `maxGapMs` (e.g. 2x the heartbeat interval), the process itself was
 * stalled (GC, SIGSTOP, a blocked loop, a suspended VM) and `observe` returns the stall: the gap
 * beyond one normal interval. The caller extends everyone's progress by it, so a paused process
 * does not accuse the healthy ones.
 */
export class PauseGuard {
  private lastTickMs: number | undefined;
  /** The most recent stall measured (0 if the last tick was on time). */
  lastStallMs = 0;
  /** How many ticks came after a stall, and the longest stall seen. */
  stalls = 0;
  maxStallMs = 0;

  constructor(
    private readonly expectedGapMs: number,
    private readonly maxGapMs: number,
  ) {}

  observe(nowMs: number): number {
    const last = this.lastTickMs;
    this.lastTickMs = nowMs;
    if (last === undefined) return 0;
    const gap = nowMs - last;
    this.lastStallMs = gap > this.maxGapMs ? gap - this.expectedGapMs : 0;
    if (this.lastStallMs > 0) {
      this.stalls += 1;
      this.maxStallMs = Math.max(this.maxStallMs, this.lastStallMs);
    }
    return this.lastStallMs;
  }
}
