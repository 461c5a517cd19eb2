import type { TimerHandle } from '../clock/index.js';
import type { Logger } from '../log/index.js';
import type { Ring } from '../ring/index.js';
import { runPlan } from './hand-off.js';
import type { Counters, RebalanceProgress, RebalancerDeps, RebalancerOptions, Settings } from './options.js';
import { settingsOf } from './options.js';
import { planFromPlacements, planLeave, planStrays, type HandOffPlan } from './plan.js';
import { Aborted, RunControl } from './run-control.js';
import type { Confirmation, HandOffReceiver, HandOffState, KeyDigest } from './sink.js';
import { mergeStates, missingKeys } from './states.js';

/** Placements remembered at most (the base and the newest abandoned rings). */
const MAX_PLACEMENTS = 8;
/** Stray positions remembered at most; past it the next run walks every arc not owned here. */
const MAX_STRAY_POSITIONS = 65_536;

const setImmediateYield = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Moves keys to their new owners after ring changes (DESIGN.md section 8), and receives them.
 * One run at a time: a run plans from the ring of the last completed hand-off (the base) to
 * `ringNow()`, and stops at its next chunk boundary once `ringNow()` moves on; the debounced
 * `onRingChange` that comes with the move replans from the base to the newest ring, adding the
 * rings of abandoned runs as placements (planFromPlacements): keys an abandoned run moved are
 * gone from here (acknowledged and forgotten) or sent again, and keys it brought here are
 * handed on. All of it is safe to repeat.
 */
export class Rebalancer implements HandOffReceiver {
  readonly #deps: RebalancerDeps;
  readonly #settings: Settings;
  readonly #log: Logger;
  readonly #yieldFn: () => Promise<void>;
  readonly #counters: Counters = {
    arcsPending: 0,
    keysPlanned: 0,
    keysDone: 0,
    keysSent: 0,
    bytesSent: 0,
    keysDropped: 0,
    batchesFailed: 0,
    keysKept: 0,
  };
  /** Rings that may have placed the keys here: the base first, then abandoned runs' rings. */
  #placements: Ring[] = [];
  /** Rings in effect since the running plan started: they stay placements when it completes. */
  #sinceRunStart: Ring[] = [];
  /** Members that restarted empty, until a run to them completes: every old owner sends to them. */
  #restarted = new Set<string>();
  /** Those that restarted since the running plan started: they stay when it completes. */
  #restartedSinceRunStart = new Set<string>();
  #timer: TimerHandle | undefined;
  #loop: Promise<void> | undefined;
  #control: RunControl | undefined;
  #rerun = false;
  #stopped = false;
  #leaving = false;
  #startedAtMs = 0;
  #lastCompleted: number | undefined;
  /** Ring positions of stray keys (see noteStrays), for the next run. */
  #strays = new Set<number>();
  /** More strays than MAX_STRAY_POSITIONS: the next run walks every arc not owned here. */
  #allStrays = false;

  constructor(deps: RebalancerDeps, options: RebalancerOptions) {
    this.#deps = deps;
    this.#settings = settingsOf(options);
    this.#log = deps.log.child({ component: 'rebalance' });
    this.#yieldFn = deps.yieldFn ?? setImmediateYield;
  }

  /**
   * Call on every ring change, in order. The first call's `before` is the ring this node's keys
   * were placed by; later `before`s are remembered as placements too (rings writes may have
   * used). Plans `debounceMs` after the last of a burst of changes; ignored after stop() or
   * handOffAll().
   */
  onRingChange(before: Ring, _after: Ring): void {
    if (this.#stopped || this.#leaving) return;
    if (this.#placements.length === 0) this.#placements.push(before);
    // A ring in effect between or during runs may have placed keys written meanwhile, even one
    // that lasted less than the debounce (or than a run's retry pause) and never got a run of
    // its own: if the ring then comes back to the base, those keys would be planned from nowhere
    // and stay here (found by the fault suite: a minority node's writes of a short partition
    // never reached the majority, and its stale copies were never dropped).
    else this.#remember(before);
    if (this.#loop !== undefined) this.#sinceRunStart.push(before);
    this.#schedule();
  }

  /**
   * A member came back with a new incarnation and an empty store ("a leave plus a join") while
   * the ring stayed the same: plan as if it had just joined, from `ringWithout` (the ring
   * without it), so its arcs are sent to it again.
   */
  memberRestarted(ringWithout: Ring, id: string): void {
    if (this.#stopped || this.#leaving) return;
    if (this.#placements.length === 0) this.#placements.push(this.#deps.ringNow());
    this.#remember(ringWithout);
    this.#restarted.add(id);
    // As onRingChange: a run going on now completes to a ring that still holds the member, and
    // its completion resets the placements (and the restarted set) to that ring's. Unless kept,
    // the member's re-hand-off was dropped there (found by a review: two members
    // crash-restarted 2.5 s apart, and a third to a half of the keys read as nil for good).
    if (this.#loop !== undefined) {
      this.#sinceRunStart.push(ringWithout);
      this.#restartedSinceRunStart.add(id);
    }
    this.#schedule();
  }

  /**
   * Keys at these ring positions were merged here although this node does not own them in its
   * ring (a hand-off or a replicated write from a member with another view of it). No plan from
   * a ring this node held moves them, so the next run hands them to their owners (planStrays);
   * it starts after the debounce, as for a ring change, so that views agree first.
   */
  noteStrays(positions: readonly number[]): void {
    if (this.#stopped || this.#leaving || positions.length === 0) return;
    for (const p of positions) {
      if (this.#strays.size >= MAX_STRAY_POSITIONS) this.#allStrays = true;
      else this.#strays.add(p);
    }
    // A burst of strays does not postpone a run already scheduled.
    if (this.#timer === undefined) this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== undefined) this.#deps.clock.clearTimeout(this.#timer);
    this.#timer = this.#deps.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
    }, this.#settings.debounceMs);
  }

  receiveBatch(states: readonly HandOffState[], _from?: string, _relayed?: boolean): { applied: number } {
    return mergeStates(this.#deps.store, states);
  }

  receiveConfirm(digests: readonly KeyDigest[]): Confirmation {
    return { missing: missingKeys(this.#deps.store, digests), arriving: [] };
  }

  progress(): RebalanceProgress {
    return {
      running: this.#loop !== undefined,
      ...this.#counters,
      startedAtMs: this.#startedAtMs,
      lastCompletedRingVersion: this.#lastCompleted,
    };
  }

  /** Resolves when no hand-off is running (a debounce still pending does not count). */
  async idle(): Promise<void> {
    while (this.#loop !== undefined) await this.#loop;
  }

  /** Clears the debounce, abandons the running hand-off at once; idempotent. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#control?.abort();
  }

  /**
   * Graceful leave: abandons any running hand-off, then hands every key held here to its owners
   * in `leaveRing()` (the ring without this node; see planLeave) and forgets what they
   * confirmed. When `ringNow()` changes meanwhile (another member left at the same time: it
   * refuses hand-offs and would never confirm), the run stops and the keys still here are
   * planned again to the new `leaveRing()`. Bounded by `timeoutMs`; resolves true when
   * everything was handed off, false (logged with the keys left) on timeout or stop().
   */
  async handOffAll(leaveRing: () => Ring, timeoutMs = this.#settings.leaveTimeoutMs): Promise<boolean> {
    this.#leaving = true;
    this.#takeStrays(); // the leave hands every key held here, strays included
    if (this.#timer !== undefined) this.#deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#control?.abort();
    await this.idle();
    if (this.#stopped) return false;
    let expired = false;
    let control: RunControl | undefined;
    const deadline = this.#deps.clock.setTimeout(() => {
      expired = true;
      control?.abort();
    }, timeoutMs);
    let done = false;
    try {
      for (;;) {
        const view = this.#deps.ringNow().version;
        const after = leaveRing();
        control = new RunControl(this.#deps.clock, () => this.#deps.ringNow().version !== view);
        this.#loop = this.#run(planLeave(after, this.#deps.selfId, this.#settings.replicas), after, control).then((ok) => {
          done = ok;
        });
        await this.#loop;
        if (done || expired || this.#stopped || this.#deps.ringNow().version === view) break;
        this.#log.info({ fromVersion: view, toVersion: this.#deps.ringNow().version }, 'ring changed during the leave: handing the rest to the new ring');
      }
    } finally {
      this.#deps.clock.clearTimeout(deadline);
      this.#loop = undefined;
    }
    if (!done) this.#log.warn({ keysLeft: this.#deps.store.size, timeoutMs }, 'leave hand-off incomplete');
    return done;
  }

  #kick(): void {
    if (this.#stopped || this.#leaving) return;
    if (this.#loop !== undefined) {
      this.#rerun = true;
      return;
    }
    this.#loop = this.#drain().finally(() => {
      this.#loop = undefined;
    });
  }

  /** Runs plans until none is asked for: a change debounced during a run asks for another. */
  async #drain(): Promise<void> {
    do {
      this.#rerun = false;
      const after = this.#deps.ringNow();
      const { selfId, alive = () => true } = this.#deps;
      const strays = this.#takeStrays();
      const placed = planFromPlacements(this.#placements, after, selfId, this.#settings.replicas, alive, this.#restarted);
      const plan = withStrays(placed, after, selfId, this.#settings.replicas, strays);
      if (plan === undefined) {
        this.#completed(after);
        continue;
      }
      const control = new RunControl(this.#deps.clock, () => this.#deps.ringNow().version !== after.version);
      if (!(await this.#run(plan, after, control))) {
        this.#remember(after);
        this.#putBackStrays(strays); // planned again, against the newer ring
      }
    } while (this.#rerun && !this.#stopped && !this.#leaving);
  }

  /** The strays noted so far (undefined positions: every arc), leaving none noted. */
  #takeStrays(): Strays {
    const taken: Strays = { positions: this.#allStrays ? undefined : [...this.#strays], any: this.#allStrays || this.#strays.size > 0 };
    this.#strays = new Set();
    this.#allStrays = false;
    return taken;
  }

  #putBackStrays(strays: Strays): void {
    if (!strays.any) return;
    if (strays.positions === undefined) this.#allStrays = true;
    else this.noteStrays(strays.positions);
  }

  /** Runs one plan; true when it ran to the end (then `after` becomes the base). Never rejects. */
  async #run(plan: HandOffPlan, after: Ring, control: RunControl): Promise<boolean> {
    const { clock } = this.#deps;
    this.#control = control;
    this.#sinceRunStart = [];
    this.#restartedSinceRunStart = new Set();
    this.#startedAtMs = clock.now();
    const started = clock.monotonic();
    const at = { ...this.#counters };
    const fields = { fromVersion: plan.fromVersion, toVersion: plan.version };
    this.#log.info({ ...fields, arcs: plan.arcs.length, unsentArcs: plan.unsentArcs }, 'hand-off started');
    let outcome: 'completed' | 'abandoned' | 'failed' = 'completed';
    let kept = 0;
    try {
      const { store, sink } = this.#deps;
      const settings = this.#settings;
      const ctx = { store, sink, log: this.#log, control, yieldFn: this.#yieldFn, counters: this.#counters, settings, arriving: this.#deps.arriving, ackDeadlines: new Map<string, number>() };
      kept = await runPlan(ctx, plan);
    } catch (err) {
      outcome = err instanceof Aborted ? 'abandoned' : 'failed';
      if (outcome === 'failed') this.#log.error({ ...fields, err }, 'hand-off failed');
    } finally {
      control.abort(); // clears any timer left by the run
      if (this.#control === control) this.#control = undefined;
    }
    const c = this.#counters;
    this.#log.info(
      {
        ...fields,
        outcome,
        keysSent: c.keysSent - at.keysSent,
        bytesSent: c.bytesSent - at.bytesSent,
        keysDropped: c.keysDropped - at.keysDropped,
        keysKept: kept,
        durationMs: Math.round(clock.monotonic() - started),
      },
      'hand-off ended',
    );
    return outcome === 'completed' ? this.#completed(after) : false;
  }

  /** An abandoned run's ring: some keys here may be placed by it now. */
  #remember(after: Ring): void {
    if (this.#placements.some((p) => p.version === after.version)) return;
    this.#placements.push(after);
    if (this.#placements.length > MAX_PLACEMENTS) {
      this.#placements.splice(1, 1);
      this.#log.warn({ kept: MAX_PLACEMENTS }, 'too many abandoned hand-offs: forgetting the oldest one\'s ring');
    }
  }

  #completed(after: Ring): true {
    const seen = this.#sinceRunStart.filter((r) => r.version !== after.version);
    this.#sinceRunStart = [];
    this.#placements = [after];
    for (const r of seen) this.#remember(r);
    this.#restarted = this.#restartedSinceRunStart;
    this.#restartedSinceRunStart = new Set();
    this.#lastCompleted = after.version;
    this.#counters.arcsPending = 0;
    return true;
  }
}

/** Stray keys to hand on: their positions, or every arc not owned here (undefined). */
interface Strays {
  readonly positions: readonly number[] | undefined;
  readonly any: boolean;
}

/** `plan` with the stray keys' arcs added (a plan of those alone when `plan` is undefined). */
function withStrays(plan: HandOffPlan | undefined, after: Ring, self: string, replicas: number, strays: Strays): HandOffPlan | undefined {
  if (!strays.any) return plan;
  const arcs = planStrays(after, self, replicas, strays.positions);
  if (arcs.length === 0) return plan;
  if (plan !== undefined) return { ...plan, arcs: [...plan.arcs, ...arcs] };
  return { self, replicas, fromVersion: after.version, version: after.version, arcs, unsentArcs: 0 };
}
