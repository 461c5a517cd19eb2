import { afterEach, describe, expect, it } from 'vitest';
import { NodeMetrics } from './node-metrics.js';
import type { MetricsSources } from './sources.js';
import { parseExposition } from './testing/parse-exposition.js';

function fakeSources(overrides: Partial<MetricsSources> = {}): MetricsSources {
  return {
    keys: () => 42,
    usedMemoryBytes: () => 4096,
    tombstones: () => ({ count: 6, bytes: 900 }),
    storeCounters: () => ({ expiredKeys: 3, evictedKeys: 2, tombstonesPrunedEarly: 8 }),
    gossip: () => ({ rounds: 10, suspicions: 1, deaths: 0, failedSends: 4 }),
    replicationLag: () => new Map([['node-b', 5]]),
    memberStatuses: () => ['alive', 'alive', 'suspect'],
    ringVersion: () => 7,
    writesRefused: () => true,
    ...overrides,
  };
}

const made: NodeMetrics[] = [];
function metricsWith(sources = fakeSources()): NodeMetrics {
  const m = new NodeMetrics(sources, { commandNames: ['HSET', 'HGET', 'PING'], maxMemoryBytes: 1024 });
  made.push(m);
  return m;
}

afterEach(() => {
  for (const m of made.splice(0)) m.stop();
});

describe('NodeMetrics', () => {
  it('exports a well-formed exposition with the values read from its sources at scrape time', async () => {
    let keys = 1;
    const m = metricsWith(fakeSources({ keys: () => keys }));
    keys = 99;
    const e = parseExposition(await m.exposition());
    expect(e.value('gokv_keys')).toBe(99);
    expect(e.value('gokv_memory_used_bytes')).toBe(4096);
    expect(e.value('gokv_memory_max_bytes')).toBe(1024);
    expect(e.value('gokv_expired_keys_total')).toBe(3);
    expect(e.value('gokv_evicted_keys_total')).toBe(2);
    expect(e.value('gokv_tombstones')).toBe(6);
    expect(e.value('gokv_tombstone_memory_bytes')).toBe(900);
    expect(e.value('gokv_tombstones_pruned_early_total')).toBe(8);
    expect(e.value('gokv_gossip_rounds_total')).toBe(10);
    expect(e.value('gokv_gossip_suspicions_total')).toBe(1);
    expect(e.value('gokv_replication_lag_ops', { replica: 'node-b' })).toBe(5);
    expect(e.value('gokv_members', { status: 'alive' })).toBe(2);
    expect(e.value('gokv_members', { status: 'dead' })).toBe(0);
    expect(e.value('gokv_ring_version')).toBe(7);
    expect(e.value('gokv_writes_refused')).toBe(1);
    expect(e.types.get('gokv_expired_keys_total')).toBe('counter');
    expect(e.types.get('gokv_command_duration_seconds')).toBe('histogram');
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts commands by name and outcome and bounds unknown names', async () => {
    const m = metricsWith();
    m.commandDone('HSET', 'ok', 0.0002);
    m.commandDone('hset', 'ok', 0.0003);
    m.commandDone('HGET', 'WRONGTYPE', 0.0001);
    for (let i = 0; i < 50; i++) m.commandDone(`RANDOM${i}`, 'ERR', 0.00001);
    const e = parseExposition(await m.exposition());
    expect(e.value('gokv_commands_total', { command: 'HSET', outcome: 'ok' })).toBe(2);
    expect(e.value('gokv_commands_total', { command: 'HGET', outcome: 'wrongtype' })).toBe(1);
    expect(e.value('gokv_commands_total', { command: 'unknown', outcome: 'err' })).toBe(50);
    expect(e.value('gokv_command_duration_seconds_count', { command: 'HSET' })).toBe(2);
    expect(e.value('gokv_command_duration_seconds_bucket', { command: 'HSET', le: '0.00025' })).toBe(1);
    expect(e.value('gokv_command_duration_seconds_bucket', { command: 'HSET', le: '+Inf' })).toBe(2);
    const commandLabels = new Set(e.samples.filter((s) => s.name === 'gokv_commands_total').map((s) => s.labels.command));
    expect([...commandLabels].sort()).toEqual(['HGET', 'HSET', 'unknown']);
  });

  it('records forwards, replication ops and rebalance progress', async () => {
    const rebalance = { keysSent: 10, bytesSent: 2048, keysDropped: 4, arcsPending: 2, keysPending: 7, arcsArriving: 3, pulls: 5 };
    const m = metricsWith(fakeSources({ rebalance: () => rebalance }));
    m.forwardDone('ok');
    m.forwardDone('transport');
    m.replicationSent(3, 1);
    const e = parseExposition(await m.exposition());
    expect(e.value('gokv_forwarded_commands_total', { outcome: 'ok' })).toBe(1);
    expect(e.value('gokv_forwarded_commands_total', { outcome: 'transport' })).toBe(1);
    expect(e.value('gokv_replication_ops_sent_total', { kind: 'write' })).toBe(3);
    expect(e.value('gokv_replication_ops_sent_total', { kind: 'state' })).toBe(1);
    expect(e.value('gokv_rebalance_keys_sent_total')).toBe(10);
    expect(e.value('gokv_rebalance_bytes_sent_total')).toBe(2048);
    expect(e.value('gokv_rebalance_ranges_pending')).toBe(2);
    expect(e.value('gokv_rebalance_keys_pending')).toBe(7);
    expect(e.value('gokv_rebalance_keys_dropped_total')).toBe(4);
    expect(e.value('gokv_rebalance_ranges_arriving')).toBe(3);
    expect(e.value('gokv_rebalance_pulls_total')).toBe(5);
  });

  it('exports each TLS certificate file\'s notAfter as a Unix timestamp, and no series without TLS', async () => {
    const expiry = new Map([
      ['internal_server', 1_790_000_000],
      ['internal_ca', 1_900_000_000],
    ]);
    const e = parseExposition(await metricsWith(fakeSources({ tlsCertificateExpiry: () => expiry })).exposition());
    expect(e.types.get('gokv_tls_certificate_expiry_timestamp_seconds')).toBe('gauge');
    expect(e.value('gokv_tls_certificate_expiry_timestamp_seconds', { which: 'internal_server' })).toBe(1_790_000_000);
    expect(e.value('gokv_tls_certificate_expiry_timestamp_seconds', { which: 'internal_ca' })).toBe(1_900_000_000);
    const plain = parseExposition(await metricsWith(fakeSources({ tlsCertificateExpiry: () => [] })).exposition());
    expect(plain.samples.some((s) => s.name === 'gokv_tls_certificate_expiry_timestamp_seconds')).toBe(false);
  });

  it('keeps one registry per node, so two nodes in a process do not collide', async () => {
    const a = metricsWith(fakeSources({ keys: () => 1 }));
    const b = metricsWith(fakeSources({ keys: () => 2 }));
    a.commandDone('PING', 'ok', 0.001);
    expect(parseExposition(await a.exposition()).value('gokv_keys')).toBe(1);
    const eb = parseExposition(await b.exposition());
    expect(eb.value('gokv_keys')).toBe(2);
    expect(eb.value('gokv_commands_total', { command: 'PING', outcome: 'ok' })).toBeUndefined();
  });

  it('drops only the samples of a source that throws', async () => {
    const m = metricsWith(
      fakeSources({
        gossip: () => undefined,
        replicationLag: () => {
          throw new Error('not built yet');
        },
      }),
    );
    const e = parseExposition(await m.exposition());
    expect(e.value('gokv_keys')).toBe(42);
    expect(e.value('gokv_gossip_rounds_total')).toBe(0);
    expect(e.samples.some((s) => s.name === 'gokv_replication_lag_ops')).toBe(false);
  });

  it('drops a series whose source stopped giving it: a departed replica, a source that now throws', async () => {
    let lag = new Map([['node-b', 5], ['node-c', 2]]);
    let keys: () => number = () => 7;
    const m = metricsWith(fakeSources({ replicationLag: () => lag, keys: () => keys() }));
    let e = parseExposition(await m.exposition());
    expect(e.value('gokv_replication_lag_ops', { replica: 'node-c' })).toBe(2);
    expect(e.value('gokv_keys')).toBe(7);
    lag = new Map([['node-b', 1]]);
    keys = () => {
      throw new Error('store closing');
    };
    e = parseExposition(await m.exposition());
    expect(e.value('gokv_replication_lag_ops', { replica: 'node-b' })).toBe(1);
    expect(e.value('gokv_replication_lag_ops', { replica: 'node-c' })).toBeUndefined();
    expect(e.value('gokv_keys')).toBe(0); // prom-client's unlabelled default, not the last value read
  });

  it('exports exact histogram buckets: a duration equal to a bound is in it (le), one past the top only in +Inf', async () => {
    const m = new NodeMetrics(fakeSources(), { commandNames: ['HGET'], maxMemoryBytes: 0, latencyBucketsSeconds: [0.01, 0.001, 0.1] });
    made.push(m);
    m.commandDone('HGET', 'ok', 0.001); // on a bound
    m.commandDone('HGET', 'ok', 0.005);
    m.commandDone('HGET', 'ok', 0.05);
    m.commandDone('HGET', 'ok', 3); // over the top bound
    const e = parseExposition(await m.exposition());
    const bucket = (le: string) => e.value('gokv_command_duration_seconds_bucket', { command: 'HGET', le });
    // Given out of order, the bounds are exported sorted, each bucket cumulative.
    expect([bucket('0.001'), bucket('0.01'), bucket('0.1'), bucket('+Inf')]).toEqual([1, 2, 3, 4]);
    expect(e.value('gokv_command_duration_seconds_count', { command: 'HGET' })).toBe(4);
    expect(e.value('gokv_command_duration_seconds_sum', { command: 'HGET' })).toBeCloseTo(3.056);
  });

  it('exports event-loop delay statistics once started', async () => {
    const m = metricsWith();
    m.start();
    await new Promise((resolve) => setTimeout(resolve, 60));
    const e = parseExposition(await m.exposition());
    const max = e.value('gokv_event_loop_delay_seconds', { stat: 'max' });
    expect(max).toBeGreaterThan(0);
    expect(e.value('gokv_event_loop_delay_seconds', { stat: 'p99' })).toBeLessThanOrEqual(max!);
  });
});

describe('parseExposition', () => {
  it.each([
    ['a sample without TYPE', 'foo 1\n'],
    ['a bad value', '# TYPE foo gauge\nfoo one\n'],
    ['bad labels', '# TYPE foo gauge\nfoo{a=b} 1\n'],
    ['no final newline', '# TYPE foo gauge\nfoo 1'],
  ])('rejects %s', (_name, text) => {
    expect(() => parseExposition(text)).toThrow();
  });
});
