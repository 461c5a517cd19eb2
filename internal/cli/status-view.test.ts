import { describe, expect, it } from 'vitest';
import type { HealthcheckNode__Output } from '../gen/externalpb/HealthcheckNode.js';
import { statusJson, statusTable, toStatusView } from './status-view.js';

const node = (fields: Partial<HealthcheckNode__Output>): HealthcheckNode__Output => ({
  nodeId: '',
  nodeAddr: '',
  alive: false,
  status: '',
  internalAddr: '',
  restAddr: '',
  keys: '0',
  ringVersion: '0',
  incarnation: '0',
  handoffKeysPending: '0',
  handoffBytesPending: '0',
  arcsArriving: 0,
  writesRefused: '',
  replicationLagOps: {},
  ...fields,
});

describe('toStatusView', () => {
  it('derives the status from alive and knows no key counts for an older server', () => {
    const view = toStatusView({ ringVersion: '0', peers: [node({ nodeId: 'a', nodeAddr: 'a:1', alive: true }), node({ nodeId: 'b' })] });
    expect(view.members.map((m) => [m.id, m.status, m.keys, m.grpcAddr])).toEqual([
      ['a', 'alive', null, 'a:1'],
      ['b', 'dead', null, null],
    ]);
  });

  it.each([
    ['the top-level ring version', '9', '3', 9],
    ["the answering node's ring version when the top level is missing", '0', '3', 3],
    ['an unsafe uint64 as a string', '18446744073709551615', '0', '18446744073709551615'],
  ])('reports %s', (_name, top, self, version) => {
    const view = toStatusView({ ringVersion: top, peers: [node({ nodeId: 'a', status: 'alive', ringVersion: self })] });
    expect(view.ringVersion).toBe(version);
  });

  it("shows the answering node's key count even when it is zero", () => {
    const view = toStatusView({ ringVersion: '1', peers: [node({ nodeId: 'a', status: 'alive', keys: '0' })] });
    expect(view.members[0]?.keys).toBe(0);
    expect(statusTable(view)).toContain('a *');
  });

  it("shows why the answering node refuses writes, under the table and in JSON, and nothing while it accepts them", () => {
    const reason = 'this node sees 1 of 3 members, no majority (cluster.minority_writes: refuse): writes refused; retry';
    const refusing = toStatusView({ ringVersion: '1', peers: [node({ nodeId: 'a', status: 'alive', writesRefused: reason }), node({ nodeId: 'b', status: 'dead' })] });
    expect(statusTable(refusing).trimEnd().split('\n').at(-1)).toBe(`writes refused by a: ${reason}`);
    expect(statusJson(refusing)).toMatchObject({ writesRefused: reason });
    const accepting = toStatusView({ ringVersion: '1', peers: [node({ nodeId: 'a', status: 'alive' })] });
    expect(statusTable(accepting)).not.toContain('refused');
    expect(statusJson(accepting)).toMatchObject({ writesRefused: null });
  });

  // A review: a node with 35k acknowledged writes not yet on its replicas looked healthy in
  // every view but the metrics.
  it("shows the answering node's replication backlog under the table when there is one, and always in JSON", () => {
    const lagging = toStatusView({ ringVersion: '1', peers: [node({ nodeId: 'a', status: 'alive', replicationLagOps: { c: '12', b: '34600' } })] });
    expect(statusTable(lagging).trimEnd().split('\n').at(-1)).toBe('not yet acknowledged by replicas of a: b 34600 ops, c 12 ops');
    expect(statusJson(lagging)).toMatchObject({ replicationLag: { b: 34600, c: 12 } });
    const caughtUp = toStatusView({ ringVersion: '1', peers: [node({ nodeId: 'a', status: 'alive', replicationLagOps: { b: '0' } })] });
    expect(statusTable(caughtUp)).not.toContain('acknowledged');
    expect(statusJson(caughtUp)).toMatchObject({ replicationLag: { b: 0 } });
  });
});
