import { describe, expect, it } from 'vitest';
import { detectFailures, PauseGuard, scaleTimings } from './detector.js';
import type { MemberEntry } from './member.js';
import { MemberTable } from './member-table.js';

const TIMINGS = { suspectAfterMs: 3000, deadAfterMs: 6000, forgetDeadAfterMs: 20_000 };
const SELF = { id: 'me', internalAddr: 'me:7946', grpcAddr: 'me:50051', restAddr: 'me:8080' };
const alive = (id: string, heartbeat = 1): MemberEntry => ({
  id,
  internalAddr: `${id}:7946`,
  grpcAddr: `${id}:50051`,
  restAddr: `${id}:8080`,
  status: 'alive',
  incarnation: 1,
  heartbeat,
});

/** A table that last saw progress from `x` at t=1000. */
function table(): MemberTable {
  const t = new MemberTable(SELF, 1, 0);
  t.merge([alive('x')], 1000);
  return t;
}

describe('detectFailures', () => {
  it.each([
    [3999, 'alive'],
    [4000, 'suspect'],
    [6999, 'suspect'],
    [7000, 'dead'],
  ])('at t=%i a member silent since t=1000 is %s', (now, status) => {
    const t = table();
    detectFailures(t, now, TIMINGS);
    expect(t.get('x')?.status).toBe(status);
  });

  it('counts dead_after from the last progress, not from the suspicion', () => {
    const t = table();
    expect(detectFailures(t, 4500, TIMINGS)).toEqual([
      { kind: 'statusChanged', id: 'x', from: 'alive', to: 'suspect', incarnation: 1 },
    ]);
    expect(detectFailures(t, 7000, TIMINGS)).toEqual([
      { kind: 'statusChanged', id: 'x', from: 'suspect', to: 'dead', incarnation: 1 },
    ]);
  });

  it('declares a member dead directly when the detector ran late', () => {
    const t = table();
    expect(detectFailures(t, 9000, TIMINGS).map((c) => c.kind === 'statusChanged' && c.to)).toEqual(['dead']);
  });

  it('keeps a member that makes progress alive', () => {
    const t = table();
    for (let now = 2000, hb = 2; now < 20_000; now += 1000, hb++) {
      t.merge([alive('x', hb)], now);
      expect(detectFailures(t, now, TIMINGS)).toEqual([]);
    }
    expect(t.get('x')?.status).toBe('alive');
  });

  it('forgets dead and left members forget_after their last progress', () => {
    const t = table();
    t.merge([{ ...alive('y'), status: 'alive' }], 1000);
    t.merge([{ ...alive('y'), status: 'left' }], 1500);
    detectFailures(t, 7000, TIMINGS);
    expect(detectFailures(t, 20_999, TIMINGS)).toEqual([]);
    expect(detectFailures(t, 21_000, TIMINGS)).toEqual([
      { kind: 'forgotten', id: 'x', status: 'dead', internalAddr: 'x:7946' },
      { kind: 'forgotten', id: 'y', status: 'left', internalAddr: 'y:7946' },
    ]);
    expect(t.members().map((m) => m.id)).toEqual(['me']);
  });

  it('never judges ourselves', () => {
    const t = new MemberTable(SELF, 1, 0);
    expect(detectFailures(t, 1_000_000, TIMINGS)).toEqual([]);
    expect(t.self.status).toBe('alive');
  });
});

describe('scaleTimings', () => {
  it.each([
    [1, 1],
    [10, 1],
    [100, 2],
    [1000, 3],
  ])('with %i live members scales the timeouts by %i', (live, factor) => {
    expect(scaleTimings(TIMINGS, live)).toEqual({
      suspectAfterMs: 3000 * factor,
      deadAfterMs: 6000 * factor,
      forgetDeadAfterMs: 20_000 * factor,
    });
  });

  it('counts alive and suspect members, ourselves included', () => {
    const t = table();
    t.merge([alive('y')], 1000);
    t.setStatus('y', 'suspect', 1000);
    t.merge([alive('z'), alive('w')], 1000);
    t.setStatus('z', 'dead', 1000);
    expect(t.liveCount).toBe(4);
    t.merge([{ ...alive('w'), status: 'left' }], 1000);
    t.forget('y', 1000);
    t.forget('z', 1000);
    expect(t.liveCount).toBe(2);
    t.merge([{ ...alive('z'), incarnation: 2 }], 1000);
    t.markLeft(1000);
    expect(t.liveCount).toBe(2);
    expect(t.members().filter((m) => m.status === 'alive' || m.status === 'suspect')).toHaveLength(2);
  });
});

describe('PauseGuard', () => {
  it('reports no stall for ticks within twice the interval', () => {
    const guard = new PauseGuard(1000, 2000);
    expect([0, 1250, 2000, 4000].map((t) => guard.observe(t))).toEqual([0, 0, 0, 0]);
    expect(guard.stalls).toBe(0);
  });

  it('reports the gap beyond one interval after a long gap', () => {
    const guard = new PauseGuard(1000, 2000);
    guard.observe(0);
    expect(guard.observe(11_000)).toBe(10_000);
    expect(guard.observe(12_000)).toBe(0);
    expect(guard).toMatchObject({ lastStallMs: 0, stalls: 1, maxStallMs: 10_000 });
  });
});
