import { describe, expect, it } from 'vitest';
import { createHasher, HASH_SPACE, measureBalance, Ring } from '../ring/index.js';
import {
  annularSector,
  explainRows,
  formatBytes,
  formatDuration,
  formatLatency,
  formatRate,
  formatTtl,
  handOffText,
  leaderArcs,
  memberColours,
  memoryUse,
  orderMembers,
  polar,
  shareWedges,
  statusInfo,
  type ExplainJson,
  type RingJson,
} from './dashboard/view.js';

const hasher = await createHasher();

/** A ring as `GET /v1/ring` sends it, from a real Ring. */
function ringJson(ring: Ring): RingJson {
  const shares = measureBalance(ring).shares;
  return {
    version: ring.version,
    vnodeCount: ring.vnodeCount,
    replicas: 1,
    members: ring.members.map((id) => ({
      id,
      share: shares.get(id)!,
      vnodes: ring.vnodes().filter((v) => v.memberId === id).map((v) => v.position),
    })),
  };
}

describe('ring geometry', () => {
  it("draws exactly the arcs the ring says each member leads", () => {
    const ring = Ring.fromMembers(['node1', 'node2', 'node3'], 32, hasher.textPosition);
    const arcs = leaderArcs(ringJson(ring));
    for (const id of ring.members) {
      const mine = arcs.filter((a) => a.member === id).map((a) => [a.from, a.to]);
      expect(mine).toEqual(ring.ownedRanges(id));
    }
    expect(arcs[0]!.from).toBe(0);
    expect(arcs.at(-1)!.to).toBe(HASH_SPACE);
  });

  it('gives a position tied between two members to the smaller id, as the ring does', () => {
    const ring: RingJson = {
      version: 1,
      vnodeCount: 1,
      replicas: 0,
      members: [
        { id: 'b', share: 0, vnodes: [100] },
        { id: 'a', share: 1, vnodes: [100] },
      ],
    };
    expect(leaderArcs(ring)).toEqual([{ member: 'a', from: 0, to: HASH_SPACE }]);
    expect(leaderArcs({ ...ring, members: [] })).toEqual([]);
  });

  it('lays the share wedges end to end, labelled at their middles', () => {
    const wedges = shareWedges({ version: 1, vnodeCount: 1, replicas: 0, members: [
      { id: 'a', share: 0.25, vnodes: [] },
      { id: 'b', share: 0.75, vnodes: [] },
    ] });
    expect(wedges).toEqual([
      { member: 'a', share: 0.25, from: 0, to: 0.25, mid: 0.125 },
      { member: 'b', share: 0.75, from: 0.25, to: 1, mid: 0.625 },
    ]);
  });

  it('measures turns clockwise from 12 o\'clock', () => {
    expect(polar(100, 100, 50, 0)).toEqual({ x: 100, y: 50 });
    expect(polar(100, 100, 50, 0.25)).toEqual({ x: 150, y: 100 });
    expect(polar(100, 100, 50, 0.5)).toEqual({ x: 100, y: 150 });
  });

  it('draws a ring segment, with the large-arc flag past half a turn, and a whole ring as two halves', () => {
    expect(annularSector(100, 100, 40, 50, 0, 0.25)).toBe('M 100 50 A 50 50 0 0 1 150 100 L 140 100 A 40 40 0 0 0 100 60 Z');
    expect(annularSector(100, 100, 40, 50, 0, 0.75)).toContain('A 50 50 0 1 1');
    const whole = annularSector(100, 100, 40, 50, 0, 1);
    expect(whole.match(/A /g)).toHaveLength(4);
    expect(whole).not.toContain('NaN');
  });
});

describe('members', () => {
  it('colours members by sorted id, so every page agrees, and cycles the palette', () => {
    const colours = memberColours(['c', 'a', 'b']);
    expect([...colours.keys()]).toEqual(['a', 'b', 'c']);
    expect(memberColours(['b', 'a', 'c']).get('c')).toBe(colours.get('c'));
    const many = memberColours(Array.from({ length: 9 }, (_, i) => `n${i}`));
    expect(many.get('n8')).toBe(many.get('n0'));
  });

  it('orders members by id without changing the input', () => {
    const input = [{ id: 'node2' }, { id: 'node1' }, { id: 'node3' }];
    expect(orderMembers(input).map((m) => m.id)).toEqual(['node1', 'node2', 'node3']);
    expect(input[0]!.id).toBe('node2');
  });

  it.each([
    ['alive', '●'],
    ['suspect', '▲'],
    ['dead', '✕'],
    ['left', '○'],
    ['weird', '?'],
  ])('shows status %s with a symbol and the word', (status, symbol) => {
    expect(statusInfo(status)).toEqual({ symbol, label: status });
  });

  it('shows memory against max_memory, or says there is no limit', () => {
    expect(memoryUse(512 * 1024, 0)).toEqual({ fraction: null, text: '512 KiB (no limit)' });
    expect(memoryUse(256 * 1024 ** 2, 1024 ** 3)).toEqual({ fraction: 0.25, text: '256 MiB of 1.0 GiB (25%)' });
    expect(memoryUse(2048, 1024).fraction).toBe(1);
    expect(memoryUse(256 * 1024 ** 2, 1024 ** 3, 3 * 1024 ** 2).text).toBe('256 MiB of 1.0 GiB (25%), 3.0 MiB of it tombstones');
    expect(memoryUse(4096, 0, 1024).text).toBe('4.0 KiB (no limit), 1.0 KiB of it tombstones');
  });
});

describe('formatting', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [12 * 1024 ** 2, '12 MiB'],
    [3.25 * 1024 ** 4, '3.3 TiB'],
    [-1, '–'],
  ])('bytes %s as %s', (n, text) => expect(formatBytes(n)).toBe(text));

  it.each([
    [850, '850 ms'],
    [42_000, '42 s'],
    [303_000, '5 min 3 s'],
    [7_500_000, '2 h 5 min'],
    [273_600_000, '3 d 4 h'],
  ])('duration %s ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([
    [-2, 'none (the key does not exist)'],
    [-1, 'no expiry'],
    [null, 'unknown'],
    [61_000, '1 min 1 s'],
  ])('TTL %s as %s', (ttl, text) => expect(formatTtl(ttl)).toBe(text));

  it('writes latency with two significant digits below 10 ms, rates with one decimal below 10', () => {
    expect([0.4213, 4.26, 42.4, null].map(formatLatency)).toEqual(['0.42 ms', '4.3 ms', '42 ms', '–']);
    expect([0, 2.55, 1234.4].map(formatRate)).toEqual(['0.0', '2.5', '1,234']);
  });
});

describe('hand-offs and lookups in words', () => {
  const handOff = {
    member: 'node1',
    keysPlanned: 5000,
    keysSent: 1200,
    bytesPlanned: 12 * 1024 ** 2,
    bytesSent: 3 * 1024 ** 2,
    elapsedMs: 2500,
    fraction: 0.25,
    keysPerSec: 480,
    bytesPerSec: 1.2 * 1024 ** 2,
    etaMs: 7500,
  };

  it('says what moved of what was planned, the rate and the time left', () => {
    expect(handOffText(handOff)).toBe('1,200 of 5,000 keys · 3.0 MiB of 12 MiB · 1.2 MiB/s · about 7 s left');
    expect(handOffText({ ...handOff, bytesPlanned: 0, etaMs: null })).toBe('1,200 of 5,000 keys · 480 keys/s · time left unknown');
  });

  const explained: ExplainJson = {
    key: 'user:1',
    position: 2 ** 31,
    ringVersion: 7,
    node: 'node2',
    leader: 'node1',
    replicas: ['node2', 'node3'],
    statuses: { node1: 'alive', node2: 'alive', node3: 'suspect' },
    type: 'hash',
    ttlMs: -1,
    role: 'replica',
    holdsCopy: 1,
  };

  it('lists the owners with their statuses, the type, TTL and the answering node', () => {
    expect(explainRows(explained)).toEqual([
      { term: 'Leader', detail: 'node1 (alive)' },
      { term: 'Replicas', detail: 'node2 (alive), node3 (suspect)' },
      { term: 'Type', detail: 'hash' },
      { term: 'TTL', detail: 'no expiry' },
      { term: 'Answered by', detail: 'node2: a replica, holds a copy' },
      { term: 'Ring position', detail: '2147483648 (50.0% round the ring)' },
    ]);
  });

  it('says when type and TTL could not be read, and when there is no replica', () => {
    const rows = explainRows({ ...explained, replicas: [], type: null, ttlMs: null, role: 'none', holdsCopy: 0, error: 'UNAVAILABLE no owner' });
    expect(rows).toContainEqual({ term: 'Replicas', detail: 'none' });
    expect(rows).toContainEqual({ term: 'Type', detail: 'unknown' });
    expect(rows).toContainEqual({ term: 'Answered by', detail: 'node2: not an owner, holds no copy' });
    expect(rows.at(-1)).toEqual({ term: 'Note', detail: 'type and TTL unavailable: UNAVAILABLE no owner' });
  });
});
