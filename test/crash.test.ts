import { afterEach, describe, expect, it } from 'vitest';
import { progress } from './faults/figures.js';
import { expectLedgerHolds, Ledger, startWriters } from './helpers/ledger.js';
import { ProcessCluster, type ProcessNode } from './helpers/process-cluster.js';

// Short failure-detection timings (test/fixtures/fast-failover.yml) so a crash is handled
// within a couple of seconds. Phases wait for a number of writes, not for a time, so a loaded
// machine only makes the test slower, never wrong.

let cluster: ProcessCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('SIGKILL of one of three nodes with replicas: 1', () => {
  it.each([0, 1, 2])('loses no acknowledged write when node %i dies under load', async (victimIndex) => {
    cluster = await ProcessCluster.start(3, { GOKV_LOG_LEVEL: 'warn', GOKV_CONFIG_PATH: 'test/fixtures/fast-failover.yml' });
    const victim = cluster.nodes[victimIndex]!;
    const survivors = cluster.nodes.filter((n) => n !== victim);
    const down = new Set<ProcessNode>();
    const ledger = new Ledger();
    const writers = startWriters(() => cluster!.nodes.filter((n) => !down.has(n)).map((n) => n.client), ledger, { prefix: 'k', deletes: true, pops: true });
    try {
      await progress(writers, 60);
      down.add(victim);
      cluster.kill(victim);
      await progress(writers, 60);
      await cluster.waitForAlive(survivors, 2);
      await progress(writers, 20);
    } finally {
      await writers.stop();
    }
    expect(ledger.hashes.size).toBeGreaterThan(30); // about 140 rounds; one in three deletes the previous round's key
    // Every acknowledged HSET reads back from every survivor; every list holds exactly its
    // acknowledged pushes in order (pushes with an unknown outcome may be there, once).
    for (const reader of survivors) await expectLedgerHolds(reader.client, ledger);
  }, 120_000);
});
