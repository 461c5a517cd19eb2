import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.js';
import { silentLogger } from '../log/index.js';
import { PeerSettingsCheck } from './settings-check.js';

const OURS = 'cluster.v_node_count=256 cluster.replicas=2';

function setup() {
  const clock = new ManualClock();
  const warnings: Array<Record<string, unknown>> = [];
  const log = silentLogger();
  log.warn = ((obj: Record<string, unknown>) => void warnings.push(obj)) as typeof log.warn;
  return { clock, warnings, check: new PeerSettingsCheck(OURS, clock, log) };
}

describe('PeerSettingsCheck', () => {
  it('says nothing of a peer with the same settings, or of one that sends none (an older node)', () => {
    const { check, warnings } = setup();
    check.observe('n2', OURS);
    check.observe('n3', undefined);
    expect(warnings).toEqual([]);
  });

  it('names the peer and each difference, once a minute per peer', () => {
    const { check, warnings, clock } = setup();
    check.observe('n2', 'cluster.v_node_count=256 cluster.replicas=0');
    check.observe('n2', 'cluster.v_node_count=256 cluster.replicas=0');
    check.observe('n3', 'cluster.v_node_count=64 cluster.replicas=2');
    expect(warnings).toEqual([
      { peer: 'n2', differences: ['cluster.replicas: 0 there, 2 here'] },
      { peer: 'n3', differences: ['cluster.v_node_count: 64 there, 256 here'] },
    ]);
    clock.advance(59_000);
    check.observe('n2', 'cluster.v_node_count=256 cluster.replicas=0');
    expect(warnings).toHaveLength(2);
    clock.advance(1_000);
    check.observe('n2', 'cluster.v_node_count=256 cluster.replicas=0');
    expect(warnings).toHaveLength(3);
  });
});
