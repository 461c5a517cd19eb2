import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../clock/index.js';
import type { MemberEntry, MemberStatus } from './member.js';
import { MemberTable } from './member-table.js';
import { pickTargets } from './peer-selection.js';

const SELF = { id: 'me', internalAddr: 'me:1', grpcAddr: '', restAddr: '' };
const member = (id: string, status: MemberStatus): MemberEntry => ({
  id,
  internalAddr: `${id}:1`,
  grpcAddr: '',
  restAddr: '',
  status,
  incarnation: 1,
  heartbeat: 1,
});

function tableOf(statuses: Record<string, MemberStatus>): MemberTable {
  const t = new MemberTable(SELF, 1, 0);
  for (const [id, status] of Object.entries(statuses)) {
    t.merge([member(id, 'alive')], 0);
    t.setStatus(id, status, 0);
  }
  return t;
}

describe('pickTargets', () => {
  it('picks peerCount distinct live members, suspects included, never ourselves', () => {
    const t = tableOf({ a: 'alive', b: 'suspect', c: 'alive', d: 'dead', e: 'left' });
    const random = new SeededRandom(3);
    for (let i = 0; i < 50; i++) {
      const { addrs, joining } = pickTargets(t, [], 2, false, random);
      expect(joining).toBe(false);
      expect(addrs).toHaveLength(2);
      expect(new Set(addrs).size).toBe(2);
      for (const addr of addrs) expect(['a:1', 'b:1', 'c:1']).toContain(addr);
    }
  });

  it('contacts every seed but ourselves while no other member is live', () => {
    const t = tableOf({ d: 'dead' });
    const seeds = [{ addr: 's1:1' }, { id: 'me', addr: 'me:other' }, { addr: 'me:1' }, { id: 's2', addr: 's2:1' }];
    expect(pickTargets(t, seeds, 2, false, new SeededRandom(1))).toEqual({ addrs: ['s1:1', 's2:1'], joining: true });
  });

  it('stops contacting every seed once a member is live', () => {
    const t = tableOf({ a: 'alive' });
    expect(pickTargets(t, [{ addr: 's1:1' }], 2, false, new SeededRandom(1)).addrs).toEqual(['a:1']);
  });

  it('adds one dead member or non-live seed on probe rounds, never a left member', () => {
    const t = tableOf({ a: 'alive', d: 'dead', e: 'left' });
    const seen = new Set<string>();
    const random = new SeededRandom(7);
    for (let i = 0; i < 40; i++) {
      const { addrs } = pickTargets(t, [{ addr: 's:1' }, { addr: 'a:1' }], 1, true, random);
      expect(addrs[0]).toBe('a:1');
      expect(addrs).toHaveLength(2);
      seen.add(addrs[1]!);
    }
    expect([...seen].sort()).toEqual(['d:1', 's:1']);
  });
});
