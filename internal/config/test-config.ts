/**
 * testConfig: a valid Config for unit and loopback tests. Tiny intervals (heartbeat 50ms,
 * suspect 300ms, dead 600ms, message timeout 1s, debounce 50ms, expiry cycle 100ms), every
 * listener on `127.0.0.1:0`, no seeds, TLS off, node id `test-node`, silent logs, no snapshot
 * restore (the snapshot path is under the OS temp dir, named for the node id), no config file
 * (`node.configPath` is '').
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepFreeze, deepMerge } from './deep.js';
import { DEFAULT_CONFIG } from './defaults.js';
import type { Config, DeepPartial } from './types.js';
import { validate } from './validate.js';

export const TEST_NODE_ID = 'test-node';

const LOOPBACK_ANY_PORT = '127.0.0.1:0';

const TEST_BASE: DeepPartial<Config> = {
  node: { id: TEST_NODE_ID, logLevel: 'silent', configPath: '' },
  messaging: {
    heartbeatIntervalMs: 50,
    suspectAfterMs: 300,
    deadAfterMs: 600,
    messageTimeoutMs: 1_000,
    forgetDeadAfterMs: 3_000,
  },
  rebalance: { rebalanceDebounceMs: 50 },
  maintenance: { cleanupIntervalMs: 100 },
  persistence: { persistenceIntervalMs: 0, restoreOnStartup: 'never' },
  addresses: {
    clusterBind: LOOPBACK_ANY_PORT,
    clusterAdvertise: LOOPBACK_ANY_PORT,
    seeds: [],
    grpcBind: LOOPBACK_ANY_PORT,
    grpcAdvertise: LOOPBACK_ANY_PORT,
    restBind: LOOPBACK_ANY_PORT,
    restAdvertise: LOOPBACK_ANY_PORT,
    respBind: LOOPBACK_ANY_PORT,
  },
};

const PAIRS = [
  ['clusterBind', 'clusterAdvertise'],
  ['grpcBind', 'grpcAdvertise'],
  ['restBind', 'restAdvertise'],
] as const;

/**
 * The test config with `overrides` laid over it, validated (throws ConfigError) and frozen.
 * A bind address overridden without its advertise address is advertised as given (or `null`).
 */
export function testConfig(overrides: DeepPartial<Config> = {}): Config {
  const merged = deepMerge<Config>(deepMerge<Config>(DEFAULT_CONFIG, TEST_BASE), overrides);
  const addresses = { ...merged.addresses };
  for (const [bind, advertise] of PAIRS) {
    if (overrides.addresses?.[bind] !== undefined && overrides.addresses[advertise] === undefined) {
      addresses[advertise] = addresses[bind];
    }
  }
  const id = merged.node.id;
  const persistencePath = overrides.node?.persistencePath ?? join(tmpdir(), 'gokv-test', `${id}.snapshot`);
  const config: Config = { ...merged, node: { ...merged.node, persistencePath }, addresses };
  validate(config);
  return deepFreeze(config);
}
