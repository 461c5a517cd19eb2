import { ManualClock, SeededRandom, type Clock, type Random } from '../clock/index.js';
import { Simulation, type SimNetwork, type SimulationOptions } from './simulation.js';

/** The design's defaults in rounds: suspect after 3 silent intervals, dead after 6, 2 peers. */
export const SIM_OPTIONS: SimulationOptions = {
  heartbeatIntervalMs: 1000,
  gossipPeerCount: 2,
  suspectAfterMs: 3000,
  deadAfterMs: 6000,
  forgetDeadAfterMs: 60_000,
};

export interface DisseminationOptions {
  /**
   * false (default): the death is declared by one member at the crash (as if its detector fired
   * first), which measures dissemination alone in few rounds. true: wait for the detectors.
   */
  readonly detect?: boolean;
  /** Extra steady rounds before the events, to count false suspicions over a longer window. */
  readonly steadyRounds?: number;
  readonly options?: SimulationOptions;
  readonly seed?: number;
}

export interface DisseminationResult {
  readonly n: number;
  /** Rounds until every member holds a new member (joined through one seed) as alive. */
  readonly joinRounds: number;
  /** Rounds from the first dead verdict until every member holds the crashed member dead. */
  readonly deathRounds: number;
  /** With `detect`: rounds from the crash to the first verdict (about dead_after, scaled). */
  readonly detectRounds: number | undefined;
  /** Suspicions and dead verdicts about members that never failed, over the whole run. */
  readonly falseSuspicions: number;
  readonly falseDeaths: number;
  readonly rounds: number;
}

/**
 * On a converged cluster of `n` members, a member joins through one seed and another crashes in
 * the same round; counts the rounds until both facts are known by every member. `makeNetwork`
 * supplies the network (peer/'s fake network, in tests), so this module stays free of peer/.
 */
export async function measureDissemination(
  n: number,
  makeNetwork: (deps: { clock: Clock; random: Random }) => SimNetwork,
  how: DisseminationOptions = {},
): Promise<DisseminationResult> {
  const clock = new ManualClock();
  const random = new SeededRandom(how.seed ?? 42);
  const options = how.options ?? SIM_OPTIONS;
  const sim = new Simulation({ network: makeNetwork({ clock, random }), clock, random }, options);
  for (let i = 0; i < n; i++) sim.addNode(`n${i}`);
  sim.bootstrap();
  await sim.run(how.steadyRounds ?? 0);

  const start = sim.rounds;
  sim.addNode('joiner', { seeds: [`n${random.int(n)}`] });
  const victim = `n${random.int(n)}`;
  sim.crash(victim);
  if (how.detect !== true) {
    const witness = sim.node(`n${(Number(victim.slice(1)) + 1) % n}`);
    const entry = witness.member(victim)!;
    witness.handleHeartbeat([{ ...entry, status: 'dead' }]);
  }

  const limit = Math.ceil(6 * Math.log2(n)) + (how.detect === true ? 40 : 10);
  let joinedAt: number | undefined;
  let firstVerdictAt: number | undefined;
  let deadAt: number | undefined;
  for (let round = 0; round <= limit; round++) {
    joinedAt ??= sim.countSeeing('joiner', ['alive']) === n - 1 ? round : undefined; // victim is down
    firstVerdictAt ??= sim.countSeeing(victim, ['dead']) > 0 ? round : undefined;
    deadAt ??= sim.countSeeing(victim, ['dead']) === n ? round : undefined; // n - 1 originals + joiner
    if (joinedAt !== undefined && deadAt !== undefined) break;
    if (round < limit) await sim.step();
  }
  if (joinedAt === undefined || firstVerdictAt === undefined || deadAt === undefined) {
    throw new Error(`n=${n}: no convergence in ${limit} rounds (joined ${joinedAt}, dead ${deadAt})`);
  }

  let falseSuspicions = 0;
  let falseDeaths = 0;
  for (const [id, count] of sim.suspicions) if (id !== victim) falseSuspicions += count;
  for (const [id, count] of sim.deadVerdicts) if (id !== victim) falseDeaths += count;
  return {
    n,
    joinRounds: joinedAt,
    deathRounds: deadAt - firstVerdictAt,
    detectRounds: how.detect === true ? firstVerdictAt : undefined,
    falseSuspicions,
    falseDeaths,
    rounds: sim.rounds - start,
  };
}
