import { afterEach, describe, expect, it, vi } from 'vitest';
import { executeCommand } from '../internal/command/index.js';
import { allowedFinal, checkLedger } from './helpers/checker.js';
import { History } from './helpers/history.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { Ledger, startReaders, startWriters } from './helpers/ledger.js';
import { compareReplicas, rpcSource, storeSource, waitForReplicas } from './helpers/replicas.js';

// The checker must be able to fail: a clean run passes, then a planted loss, a planted
// divergence between replicas and a planted read of a value never written are each caught.

let cluster: InProcessCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

describe('history checker', () => {
  it('passes a clean run and catches a planted loss, divergence and bad read', async () => {
    cluster = await startCluster(3, { cluster: { replicas: 1 } });
    const c = cluster;
    const ledger = new Ledger();
    const writers = startWriters(() => c.clients, ledger, { writers: 3, hashKeys: 5 });
    const readers = startReaders(() => c.clients, ledger, 2);
    await vi.waitFor(() => expect(writers.writes()).toBeGreaterThan(60), { timeout: 20_000, interval: 20 });
    await Promise.all([writers.stop(), readers.stop()]);

    const clean = await checkLedger(c.clients[0]!, ledger);
    expect(clean.acked).toBeGreaterThan(100);
    expect(clean.reads).toBeGreaterThan(0);
    expect(clean).toMatchObject({ lost: [], duplicated: [], badReads: [], staleReads: 0 });
    const keys = [...new Set(ledger.history.ops.map((op) => op.key))];
    const sources = c.nodes.map(storeSource);
    expect(await waitForReplicas(sources, keys, 2)).toMatchObject({ wrongCopies: [], divergent: [] });
    // The internal KeyDigests RPC gives the same view as the store itself.
    const viaRpc = c.nodes.map((n) => rpcSource(n.id, n.addresses.internal!));
    try {
      expect(await compareReplicas(viaRpc, keys, 2)).toMatchObject({ wrongCopies: [], divergent: [] });
      expect((await viaRpc[0]!.digests(keys)).map((d) => d.digest)).toEqual((await sources[0]!.digests(keys)).map((d) => d.digest));
    } finally {
      for (const s of viaRpc) s.close?.();
    }

    // Planted loss: an acknowledged hash key vanishes from every copy.
    const [victim] = [...ledger.hashes.keys()];
    for (const node of c.nodes) node.store.delete(victim!);
    const lossy = await checkLedger(c.clients[0]!, ledger);
    expect(lossy.lost).toHaveLength(1);
    expect(lossy.lost[0]).toContain(victim);

    // Planted divergence: one copy of a list changes behind replication's back.
    const list = [...ledger.lists.keys()][0]!;
    const holder = c.nodes.find((n) => n.store.peek(list) !== undefined)!;
    executeCommand(holder.store, { name: 'RPUSH', key: list, args: ['planted'] });
    const diverged = await compareReplicas(sources, [list], 2);
    expect(diverged.divergent).toHaveLength(1);

    // Planted read of a value never written.
    const read = ledger.history.invoke('r9', 'hget', victim!);
    ledger.history.ok(read, 'never-written');
    expect((await checkLedger(c.clients[0]!, ledger)).badReads.some((b) => b.includes('never-written'))).toBe(true);
  }, 60_000);

  it('catches a deleted or expired key, or a popped item, that comes back', async () => {
    cluster = await startCluster(3, { cluster: { replicas: 1 } });
    const c = cluster;
    const ledger = new Ledger();
    const writers = startWriters(() => c.clients, ledger, { writers: 3, hashKeys: 5, deletes: true, pops: true });
    const readers = startReaders(() => c.clients, ledger, 2);
    await vi.waitFor(() => expect(writers.writes()).toBeGreaterThan(60), { timeout: 20_000, interval: 20 });
    await Promise.all([writers.stop(), readers.stop()]);
    const ops = ledger.history.ops;
    expect(ops.filter((op) => op.kind === 'del' && op.outcome === 'ok').length).toBeGreaterThan(5);
    expect(ops.filter((op) => op.kind === 'expire' && op.outcome === 'ok').length).toBeGreaterThan(3);
    expect(ops.filter((op) => op.kind === 'lpop' && typeof op.read === 'string').length).toBeGreaterThan(5);

    const clean = await checkLedger(c.clients[0]!, ledger);
    expect(clean).toMatchObject({ lost: [], duplicated: [], badReads: [], staleReads: 0 });
    const keys = [...new Set(ops.map((op) => op.key))];
    expect(await waitForReplicas(c.nodes.map(storeSource), keys, 2)).toMatchObject({ wrongCopies: [], divergent: [] });

    // Planted resurrections: a key whose last write was an acknowledged DEL, and one whose
    // last was an acknowledged expiry, come back on every node with the value they had.
    for (const kind of ['del', 'expire'] as const) {
      const last = [...ops].reverse().find((op) => op.kind === kind && op.outcome === 'ok' && ops.filter((o) => o.key === op.key).at(-1) === op)!;
      const value = ops.filter((o) => o.key === last.key && o.kind === 'hset').at(-1)?.value ?? 'v';
      for (const node of c.nodes) executeCommand(node.store, { name: 'HSET', key: last.key, args: ['f', value] });
      const report = await checkLedger(c.clients[0]!, ledger);
      expect(report.lost.some((line) => line.startsWith(`${last.key}: holds ${value}`) && line.includes(`after ${kind} #${last.id}`))).toBe(true);
    }
    // A popped item pushed back on every copy of its list.
    const pop = ops.find((op) => op.kind === 'lpop' && typeof op.read === 'string')!;
    for (const node of c.nodes) {
      if (node.store.peek(pop.key) !== undefined) executeCommand(node.store, { name: 'RPUSH', key: pop.key, args: [pop.read as string] });
    }
    expect((await checkLedger(c.clients[0]!, ledger)).lost).toContain(`${pop.key}: popped item ${pop.read} is back (after lpop #${pop.id})`);
  }, 60_000);
});

describe('allowedFinal', () => {
  it('lets a hash key hold what its last acknowledged write left, or a later unknown one', () => {
    const h = new History();
    const op = (kind: 'hset' | 'del' | 'expire', value: string | undefined, ok: boolean) => {
      const o = h.invoke('w0', kind, 'k', value, h.ops.length);
      if (ok) h.ok(o);
      else h.fail(o, new Error('lost link'));
      return o;
    };
    op('hset', 'v1', true);
    expect(allowedFinal(h.ops)).toEqual(new Set(['v1']));
    op('del', undefined, true);
    expect(allowedFinal(h.ops)).toEqual(new Set([null]));
    op('hset', 'v3', false);
    expect(allowedFinal(h.ops)).toEqual(new Set([null, 'v3']));
    op('hset', 'v4', true);
    op('expire', undefined, false);
    expect(allowedFinal(h.ops)).toEqual(new Set(['v4', null]));
    op('expire', undefined, true);
    expect(allowedFinal(h.ops)).toEqual(new Set([null]));
  });
});
