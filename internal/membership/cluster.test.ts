import { describe, expect, it } from 'vitest';
import { ManualClock, SeededRandom } from '../clock/index.js';
import { FakeNetwork } from '../peer/fake-network.js';
import { SIM_OPTIONS } from './dissemination.js';
import type { MemberChange } from './member.js';
import { Simulation, type SimulationOptions } from './simulation.js';

const addr = Simulation.addr;

/** Nodes on a fake network, one ManualClock, rounds stepped by hand (1 step = 1 s). */
function setup(options: SimulationOptions = SIM_OPTIONS, seed = 1) {
  const clock = new ManualClock();
  const random = new SeededRandom(seed);
  const network = new FakeNetwork({ clock, random });
  const changes: Array<{ node: string; change: MemberChange }> = [];
  const onChange = (node: string, batch: readonly MemberChange[]) => {
    for (const change of batch) changes.push({ node, change });
  };
  const sim = new Simulation({ network, clock, random, onChange }, options);
  return { clock, network, sim, changes };
}

/** n1..nN, each seeded with the previous one (a chain the gossip has to close). */
function chain(sim: Simulation, n: number): string[] {
  const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  ids.forEach((id, i) => sim.addNode(id, { seeds: i === 0 ? [] : [ids[i - 1]!], incarnation: 1 }));
  return ids;
}

const statusOf = (sim: Simulation, viewer: string, id: string) => sim.node(viewer).member(id)?.status;

describe('gossip cluster on the fake network', () => {
  it('joins through a seed', async () => {
    const { sim } = setup();
    sim.addNode('a');
    sim.addNode('b', { seeds: ['a'] });
    sim.addNode('c', { seeds: ['a'] });
    await sim.run(3);
    for (const id of ['a', 'b', 'c']) expect(sim.node(id).ringMembers()).toEqual(['a', 'b', 'c']);
  });

  it('keeps retrying a seed that is down until it comes up', async () => {
    const { sim, network } = setup();
    sim.addNode('a');
    sim.crash('a'); // not listening yet
    const b = sim.addNode('b', { seeds: ['a'] });
    await sim.run(5);
    expect(b.stats.failedSends).toBe(5);
    expect(b.ringMembers()).toEqual(['b']);
    sim.resume('a');
    expect(network.isRegistered(addr('a'))).toBe(true);
    await sim.run(2);
    expect(b.ringMembers()).toEqual(['a', 'b']);
    expect(sim.node('a').ringMembers()).toEqual(['a', 'b']);
  });

  it('converges 5 nodes to one view', async () => {
    const { sim } = setup();
    const ids = chain(sim, 5);
    const rounds = await sim.runUntil(() => sim.converged() && sim.node('n1').ringMembers().length === 5, 20);
    expect(rounds).toBeGreaterThan(0);
    expect(rounds).toBeLessThanOrEqual(8);
    for (const id of ids) expect(sim.node(id).ringMembers()).toEqual(ids);
  });

  it('suspects a silent member suspect_after, and declares it dead dead_after, from its last progress', async () => {
    const { sim, clock } = setup();
    chain(sim, 3);
    await sim.run(6);
    const lastProgress = sim.node('n1').member('n3')!.progressAtMs;
    sim.crash('n3');
    const seen: Array<{ at: number; to: string }> = [];
    for (let i = 0; i < 8; i++) {
      await sim.step();
      const status = statusOf(sim, 'n1', 'n3')!;
      if (seen.at(-1)?.to !== status) seen.push({ at: clock.monotonic() - lastProgress, to: status });
    }
    expect(seen).toEqual([
      { at: 1000, to: 'alive' },
      { at: 3000, to: 'suspect' },
      { at: 6000, to: 'dead' },
    ]);
    expect(sim.node('n1').stats.failedSends).toBeGreaterThan(0);
    expect(sim.node('n2').ringMembers()).toEqual(['n1', 'n2']);
  });

  it('refutes a suspicion caused by a partition: higher incarnation, alive everywhere', async () => {
    const { sim, network } = setup();
    const ids = chain(sim, 4);
    await sim.run(6);
    network.partition([addr('n4')], [addr('n1'), addr('n2'), addr('n3')]);
    await sim.run(4); // past suspect_after, short of dead_after
    expect(statusOf(sim, 'n1', 'n4')).toBe('suspect');
    expect(statusOf(sim, 'n4', 'n1')).toBe('suspect');
    network.heal();
    await sim.run(3);
    expect(sim.node('n4').stats.refutations).toBeGreaterThan(0);
    const incarnation = sim.node('n4').self.incarnation;
    expect(incarnation).toBeGreaterThan(1);
    for (const id of ids) {
      expect(sim.node(id).member('n4')).toMatchObject({ status: 'alive', incarnation });
      expect(sim.node(id).ringMembers()).toEqual(ids);
    }
  });

  it('replaces a restarted member (same id, empty state, higher incarnation)', async () => {
    const { sim, changes } = setup();
    chain(sim, 3);
    await sim.run(6);
    sim.crash('n3');
    await sim.step();
    const fresh = sim.addNode('n3', { seeds: ['n1'], incarnation: 5000 });
    expect(fresh.members()).toHaveLength(1);
    const before = sim.node('n1').member('n3')!;
    await sim.run(3);
    expect(before).toMatchObject({ status: 'alive', incarnation: 1 });
    for (const id of ['n1', 'n2']) expect(sim.node(id).member('n3')).toMatchObject({ status: 'alive', incarnation: 5000 });
    expect(fresh.ringMembers()).toEqual(['n1', 'n2', 'n3']);
    expect(changes).toContainEqual({
      node: 'n1',
      change: { kind: 'incarnationChanged', id: 'n3', from: 1, to: 5000, heartbeatReset: true },
    });
  });

  it('spreads a graceful leave; left members stay out and are forgotten later', async () => {
    const { sim } = setup({ ...SIM_OPTIONS, forgetDeadAfterMs: 10_000 });
    chain(sim, 4);
    await sim.run(6);
    await sim.node('n4').leave();
    sim.crash('n4'); // the process exits
    for (const id of ['n1', 'n2', 'n3']) {
      expect(statusOf(sim, id, 'n4')).toBe('left');
      expect(sim.node(id).ringMembers()).toEqual(['n1', 'n2', 'n3']);
    }
    await sim.run(8);
    expect(statusOf(sim, 'n1', 'n4')).toBe('left'); // never reported dead
    expect(sim.deadVerdicts.get('n4')).toBeUndefined();
    await sim.run(4);
    for (const id of ['n1', 'n2', 'n3']) expect(sim.node(id).member('n4')).toBeUndefined();
  });

  it('does not let a paused node accuse the healthy ones when it resumes', async () => {
    const { sim } = setup();
    const ids = chain(sim, 4);
    await sim.run(6);
    sim.crash('n1'); // SIGSTOP: no ticks, no answers
    await sim.run(10);
    expect(statusOf(sim, 'n2', 'n1')).toBe('dead');
    sim.resume('n1');
    const n1 = sim.node('n1');
    await sim.step();
    expect(n1.stats.lastStallMs).toBe(10_000);
    expect(n1.stats).toMatchObject({ suspicions: 0, deaths: 0 });
    await sim.run(3);
    expect(n1.stats).toMatchObject({ suspicions: 0, deaths: 0 });
    expect(n1.stats.refutations).toBeGreaterThan(0);
    for (const id of ids) expect(sim.node(id).ringMembers()).toEqual(ids);
  });

  it('converges to one view after a partition heals', async () => {
    const { sim, network } = setup();
    const ids = chain(sim, 6);
    await sim.run(8);
    const left = ids.slice(0, 3).map(addr);
    const right = ids.slice(3).map(addr);
    network.partition(left, right);
    await sim.run(12);
    expect(statusOf(sim, 'n1', 'n6')).toBe('dead');
    expect(statusOf(sim, 'n6', 'n1')).toBe('dead');
    expect(sim.node('n1').ringMembers()).toEqual(['n1', 'n2', 'n3']);
    network.heal();
    const rounds = await sim.runUntil(
      () => sim.converged() && ids.every((id) => sim.node(id).ringMembers().length === 6),
      30,
    );
    expect(rounds).toBeGreaterThan(0);
    for (const id of ids) expect(sim.node(id).ringMembers()).toEqual(ids);
  });

  it('finds the other side through seeds after the partition outlasted forgetting', async () => {
    const { sim, network } = setup({ ...SIM_OPTIONS, forgetDeadAfterMs: 8000 });
    const ids = chain(sim, 4);
    await sim.run(8);
    network.partition([addr('n1'), addr('n2')], [addr('n3'), addr('n4')]);
    await sim.run(12);
    expect(sim.node('n3').member('n2')).toBeUndefined();
    network.heal();
    await sim.runUntil(() => ids.every((id) => sim.node(id).ringMembers().length === 4), 30);
    for (const id of ids) expect(sim.node(id).ringMembers()).toEqual(ids);
  });
});
