import { describe, expect, it } from 'vitest';
import type { HealthcheckNode__Output } from '../gen/externalpb/HealthcheckNode.js';
import { statusTable, toStatusView } from './status-view.js';

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
});
