import { ManualClock, SeededRandom, type Clock, type Random } from '../clock/index.js';
import { Simulation, type SimNetwork, type SimulationOptions } from './simulation.js';

/** The simulation's timings: suspect after 3 silent rounds, dead after 6, gossip to 2 peers. */
export const SIM_OPTIONS: SimulationOptions = {
  heartbeatIntervalMs: 1000,
  gossipPeerCount: 2,
  suspectAfterMs: 3000,
  deadAfterMs: 6000,
  forgetDeadAfterMs: 60_000,
};

export interface DisseminationResult {
  readonly n: number;
  /** Rounds until every member knows a new member that joined through one seed. */
  readonly joinRounds: number;
  /** Rounds from a crash until the first member declares it dead (detection: ~deadAfter). */
  readonly firstVerdictRounds: number;
  /** Rounds from that first verdict until every member holds it dead (dissemination). */
  readonly deathRounds: number;
  /** Suspicions and dead verdicts of members that never failed (false positives). */
  readonly falseSuspicions: number;
  readonly falseDeaths: number;
}

/**
 * Measures, on a converged cluster of `n` members: how many rounds a join takes to reach everyone,
 * and how many a death takes (detection, then dissemination). `makeNetwork` supplies the network
 * (the fake network from peer/, in tests), so this module stays free of peer/.
 */
export async function measureDissemination(
  n: number,
  makeNetwork: (deps: { clock: Clock; random: Random }) => SimNetwork,
  options: SimulationOptions = SIM_OPTIONS,
  seed = 42,
): Promise<DisseminationResult> {
  const clock = new ManualClock();
  const random = new SeededRandom(seed);
  const sim = new Simulation({ network: makeNetwork({ clock, random }), clock, random }, options);
  for (let i = 0; i < n; i++) sim.addNode(`n${i}`);
  sim.bootstrap();
  await sim.run(3); // heartbeats flowing, every member's progress fresh everywhere

  const limit = Math.ceil(6 * Math.log2(n)) + 20;
  sim.addNode('joiner', { seeds: [`n${random.int(n)}`] });
  const joinRounds = await sim.runUntil(() => sim.countSeeing('joiner', ['alive']) === n, limit);

  const victim = `n${random.int(n)}`;
  sim.crash(victim);
  const others = n; // n - 1 originals still up, plus the joiner
  const firstVerdictRounds = await sim.runUntil(() => sim.countSeeing(victim, ['dead']) > 0, limit);
  const deathRounds = await sim.runUntil(() => sim.countSeeing(victim, ['dead']) === others, limit);

  let falseSuspicions = 0;
  let falseDeaths = 0;
  for (const [id, count] of sim.suspicions) if (id !== victim) falseSuspicions += count;
  for (const [id, count] of sim.deadVerdicts) if (id !== victim) falseDeaths += count;
  return { n, joinRounds, firstVerdictRounds, deathRounds, falseSuspicions, falseDeaths };
}
