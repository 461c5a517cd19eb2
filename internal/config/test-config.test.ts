import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { DEFAULT_CONFIG } from './defaults.js';
import { testConfig } from './test-config.js';
import type { Config, DeepPartial } from './types.js';
import { findProblems, validate } from './validate.js';

describe('testConfig', () => {
  it('has tiny intervals, ephemeral loopback ports, no seeds and no TLS', () => {
    const config = testConfig();
    expect(config.node).toMatchObject({ id: 'test-node', logLevel: 'silent' });
    expect(config.messaging).toMatchObject({
      heartbeatIntervalMs: 50,
      suspectAfterMs: 300,
      deadAfterMs: 600,
      messageTimeoutMs: 1_000,
    });
    expect(config.rebalance.rebalanceDebounceMs).toBe(50);
    expect(config.addresses).toEqual({
      clusterBind: '127.0.0.1:0',
      clusterAdvertise: '127.0.0.1:0',
      seeds: [],
      grpcBind: '127.0.0.1:0',
      grpcAdvertise: '127.0.0.1:0',
      restBind: '127.0.0.1:0',
      restAdvertise: '127.0.0.1:0',
      respBind: '127.0.0.1:0',
    });
    expect(config.tls).toEqual(DEFAULT_CONFIG.tls);
    expect(config.persistence).toEqual({ persistenceIntervalMs: 0, restoreOnStartup: 'never' });
    expect(config.cluster).toEqual(DEFAULT_CONFIG.cluster);
  });

  it('lays overrides over it, replacing arrays whole', () => {
    const config = testConfig({
      node: { id: 'n2' },
      cluster: { replicas: 0 },
      addresses: { seeds: [{ id: 'n1', addr: '127.0.0.1:7001' }] },
    });
    expect(config.node.id).toBe('n2');
    expect(config.node.persistencePath).toBe(join(tmpdir(), 'gokv-test', 'n2.snapshot'));
    expect(config.cluster).toEqual({ ...DEFAULT_CONFIG.cluster, replicas: 0 });
    expect(config.messaging.heartbeatIntervalMs).toBe(50);
    expect(config.addresses.seeds).toEqual([{ id: 'n1', addr: '127.0.0.1:7001' }]);
  });

  it('advertises an overridden bind address unless told otherwise', () => {
    const config = testConfig({
      node: { id: 'n1' },
      addresses: { clusterBind: '127.0.0.1:7001', grpcBind: '127.0.0.1:5001', grpcAdvertise: 'gokv1:5001', restBind: null },
    });
    expect(config.addresses).toMatchObject({
      clusterAdvertise: '127.0.0.1:7001',
      grpcAdvertise: 'gokv1:5001',
      restBind: null,
      restAdvertise: null,
    });
  });

  it('returns a deeply frozen config and leaves DEFAULT_CONFIG alone', () => {
    const config = testConfig({ memory: { maxMemoryBytes: 1024 } });
    expect(Object.isFrozen(config.memory)).toBe(true);
    expect(Object.isFrozen(config.addresses.seeds)).toBe(true);
    expect(DEFAULT_CONFIG.memory.maxMemoryBytes).toBe(0);
  });

  it('rejects bad overrides with every problem', () => {
    const bad = { cluster: { vNodeCount: 0 }, messaging: { heartbeatIntervalMs: 0 } };
    expect(() => testConfig(bad)).toThrow(ConfigError);
    expect(() => testConfig(bad)).toThrow(/cluster\.v_node_count: must be at least 1, got 0\n.*messaging\.heartbeat_interval: must be greater than 0/);
  });
});

describe('validate', () => {
  const valid = testConfig();
  const withOverrides = (overrides: DeepPartial<Config>): Config => ({
    ...valid,
    ...Object.fromEntries(
      Object.entries(overrides).map(([group, value]) => [group, { ...(valid as unknown as Record<string, object>)[group], ...value }]),
    ),
  });

  it('accepts the defaults and the test config', () => {
    expect(findProblems(DEFAULT_CONFIG)).toEqual({ problems: [], warnings: [] });
    expect(validate(valid)).toEqual([]);
  });

  it.each([
    [{ cluster: { vNodeCount: 0 } }, 'cluster.v_node_count: must be at least 1, got 0'],
    [{ cluster: { replicas: -1 } }, 'cluster.replicas: must be at least 0, got -1'],
    [{ cluster: { hopLimit: 0 } }, 'cluster.hop_limit: must be at least 1, got 0'],
    [{ cluster: { replicas: 1.5 } }, 'cluster.replicas: expected a whole number, got 1.5'],
    [{ messaging: { gossipPeerCount: 0 } }, 'messaging.gossip_peer_count: must be at least 1, got 0'],
    [{ messaging: { heartbeatIntervalMs: 0 } }, 'messaging.heartbeat_interval: must be greater than 0, got 0s'],
    [{ messaging: { messageTimeoutMs: 0 } }, 'messaging.message_timeout: must be greater than 0, got 0s'],
    [{ messaging: { suspectAfterMs: 600 } }, 'messaging.suspect_after (600ms) must be less than messaging.dead_after (600ms)'],
    [{ memory: { maxMemoryBytes: -1 } }, 'memory.max_memory: must be at least 0, got -1'],
    [{ memory: { evictionPolicy: 'lfu' as never } }, 'memory.eviction_policy: expected one of noeviction, allkeys-lru, volatile-lru, allkeys-random, got "lfu"'],
    [{ memory: { evictionSamples: 0 } }, 'memory.eviction_samples: must be at least 1, got 0'],
    [{ rebalance: { batchBytes: 0 } }, 'rebalance.batch_bytes: must be at least 1, got 0'],
    [{ rebalance: { batchBytes: 128 * 1024 ** 2 } }, 'rebalance.batch_bytes (134217728) must not exceed limits.max_message_bytes (67108864)'],
    [{ limits: { maxArgs: 0 } }, 'limits.max_args: must be at least 1, got 0'],
    [{ limits: { maxMembers: 0 } }, 'limits.max_members: must be at least 1, got 0'],
    [{ persistence: { persistenceIntervalMs: -1 } }, 'persistence.persistence_interval: must be at least 0s, got -1ms'],
    [{ persistence: { restoreOnStartup: 'sometimes' as never } }, 'persistence.restore_on_startup: expected one of always, never, auto, got "sometimes"'],
    [{ replication: { mode: 'quorum' as never } }, 'replication.mode: expected one of sync, async, got "quorum"'],
    [{ node: { id: 'a b' } }, 'GOKV_CLUSTER_NODE_ID: expected 1-255 of A-Z a-z 0-9 . _ : @ [ ] -, got "a b"'],
    [{ addresses: { grpcBind: 'nowhere' } }, 'GOKV_EXTERNAL_GRPC_BIND_ADDR: expected host:port like 127.0.0.1:7946, got "nowhere"'],
    [{ addresses: { clusterAdvertise: '0.0.0.0:7946' } }, 'GOKV_CLUSTER_ADVERTISE_ADDR: 0.0.0.0 cannot be dialled, got "0.0.0.0:7946"'],
    [{ addresses: { clusterBind: null, clusterAdvertise: null, seeds: [{ addr: 'a:1' }] } }, 'GOKV_CLUSTER_SEEDS: given, but the cluster listener is off (GOKV_CLUSTER_BIND_ADDR is empty)'],
  ] as const)('rejects %j', (overrides, problem) => {
    expect(findProblems(withOverrides(overrides as DeepPartial<Config>)).problems).toEqual([problem]);
  });

  // Bounds are inclusive: the minimum and the maximum themselves are accepted, one past is not.
  it.each([
    [{ cluster: { vNodeCount: 65_536, replicas: 64, hopLimit: 16 } }],
    [{ cluster: { vNodeCount: 1, replicas: 0, hopLimit: 1 } }],
    [{ memory: { evictionSamples: 1_024 } }],
    [{ limits: { maxMessageBytes: 2 ** 31 - 1, maxCallsPerConnection: 2 ** 31 - 1 } }],
  ] as const)('accepts the bound %j', (overrides) => {
    expect(findProblems(withOverrides(overrides as DeepPartial<Config>)).problems).toEqual([]);
  });

  it.each([
    [{ cluster: { vNodeCount: 65_537 } }, 'cluster.v_node_count: must be at most 65536, got 65537'],
    [{ cluster: { replicas: 65 } }, 'cluster.replicas: must be at most 64, got 65'],
    [{ memory: { evictionSamples: 1_025 } }, 'memory.eviction_samples: must be at most 1024, got 1025'],
  ] as const)('rejects one past the maximum, %j', (overrides, problem) => {
    expect(findProblems(withOverrides(overrides as DeepPartial<Config>)).problems).toEqual([problem]);
  });

  it.each([
    [{ messaging: { heartbeatIntervalMs: 300 } }, /suspect_after \(300ms\) is not above messaging\.heartbeat_interval/],
    [{ messaging: { forgetDeadAfterMs: 100 } }, /forget_dead_after \(100ms\) is below messaging\.dead_after/],
    [{ maintenance: { cleanupIntervalMs: 20 } }, /expiry_budget \(25ms\) is not below maintenance\.cleanup_interval/],
    [{ persistence: { persistenceIntervalMs: 1 } }, /persistence_interval \(1ms\) is under a second: snapshots of the whole keyspace will run back to back/],
  ] as const)('warns about the doubtful %j', (overrides, warning) => {
    const { problems, warnings } = findProblems(withOverrides(overrides));
    expect(problems).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(warning)]);
  });
});
