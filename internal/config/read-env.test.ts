import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load.js';
import type { LoadResult } from './types.js';

const CWD = '/srv/gokv';

/** loadConfig over an in-memory directory: `files` maps names under CWD to their text. */
function load(env: Record<string, string | undefined>, files: Record<string, string> = {}): LoadResult {
  const readFile = (path: string): string | null => files[path.slice(CWD.length + 1)] ?? null;
  return loadConfig({ env, cwd: CWD, readFile });
}

function problemsOf(env: Record<string, string | undefined>, files: Record<string, string> = {}): readonly string[] {
  try {
    load(env, files);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw');
}

describe('environment', () => {
  it('warns about an unknown GOKV_ variable, suggesting the likely one', () => {
    // The CLI's own variables (GOKV_CLIENT_*, GOKV_CLI_HISTFILE) are known: a shared .env holds them.
    const { warnings } = load({ GOKV_LOG_LEVLE: 'debug', GOKV_FOO: '1', GOKV_CLI_HISTFILE: '', GOKV_CLIENT_URI: 'a:1', HOME: '/root', PATH: '/bin' });
    expect(warnings).toEqual([
      'GOKV_LOG_LEVLE: unknown variable, ignored (did you mean "GOKV_LOG_LEVEL"?)',
      'GOKV_FOO: unknown variable, ignored',
    ]);
  });

  it('warns about a GOKV_ variable written in the wrong case, which is not read', () => {
    const { config, warnings } = load({ gokv_log_level: 'debug', Gokv_Cluster_Node_Id: 'n1' });
    expect(config.node.logLevel).toBe('info');
    expect(warnings).toEqual([
      'gokv_log_level: unknown variable, ignored (did you mean "GOKV_LOG_LEVEL"?)',
      'Gokv_Cluster_Node_Id: unknown variable, ignored (did you mean "GOKV_CLUSTER_NODE_ID"?)',
    ]);
  });

  it('says when an unknown variable came from .env', () => {
    const { warnings } = load({}, { '.env': 'GOKV_CLUSTER_SEED=a:1\n' });
    expect(warnings).toEqual(['.env: GOKV_CLUSTER_SEED: unknown variable, ignored (did you mean "GOKV_CLUSTER_SEEDS"?)']);
  });

  it('knows the CLI\'s variables', () => {
    const env = { GOKV_CLIENT_URI: 'h:1', GOKV_CLIENT_CA: 'a', GOKV_CLIENT_CERT: 'b', GOKV_CLIENT_KEY: 'c' };
    expect(load(env).warnings).toEqual([]);
  });

  it.each([
    ['GOKV_EXTERNAL_GRPC_BIND_ADDR', 'grpcBind', 'grpcAdvertise'],
    ['GOKV_EXTERNAL_REST_BIND_ADDR', 'restBind', 'restAdvertise'],
    ['GOKV_EXTERNAL_RESP_BIND_ADDR', 'respBind', undefined],
  ] as const)('disables a listener whose %s is set but empty', (name, bind, advertise) => {
    const { addresses } = load({ [name]: '' }).config;
    expect(addresses[bind]).toBeNull();
    if (advertise !== undefined) expect(addresses[advertise]).toBeNull();
  });

  it('disables the cluster listener when its bind address is empty, given a node id', () => {
    const { config } = load({ GOKV_CLUSTER_BIND_ADDR: '', GOKV_CLUSTER_NODE_ID: 'solo' });
    expect(config.addresses).toMatchObject({ clusterBind: null, clusterAdvertise: null, seeds: [] });
    expect(problemsOf({ GOKV_CLUSTER_BIND_ADDR: '' })).toEqual([
      'GOKV_CLUSTER_NODE_ID: required when the cluster listener is off (GOKV_CLUSTER_BIND_ADDR is empty)',
    ]);
  });

  it('warns that an advertise address of a disabled listener is ignored', () => {
    const { config, warnings } = load({ GOKV_EXTERNAL_REST_BIND_ADDR: '', GOKV_EXTERNAL_REST_ADVERTISE_ADDR: 'h:1' });
    expect(config.addresses.restAdvertise).toBeNull();
    expect(warnings).toEqual(['GOKV_EXTERNAL_REST_ADVERTISE_ADDR: ignored: the listener is off (GOKV_EXTERNAL_REST_BIND_ADDR is empty)']);
  });

  it('advertises the bind addresses and names the node after the cluster one by default', () => {
    const { config } = load({ GOKV_CLUSTER_BIND_ADDR: '10.0.0.7:7000', GOKV_EXTERNAL_GRPC_BIND_ADDR: '10.0.0.7:5000' });
    expect(config.addresses).toMatchObject({ clusterAdvertise: '10.0.0.7:7000', grpcAdvertise: '10.0.0.7:5000' });
    expect(config.node.id).toBe('10.0.0.7:7000');
    expect(config.node.persistencePath).toBe('/srv/gokv/data/10.0.0.7:7000.snapshot');
  });

  it.each(['0.0.0.0:7946', '[::]:7946'])('requires an advertise address when the cluster binds %s', (bind) => {
    expect(problemsOf({ GOKV_CLUSTER_BIND_ADDR: bind })).toEqual([
      expect.stringMatching(/^GOKV_CLUSTER_ADVERTISE_ADDR: not set, and GOKV_CLUSTER_BIND_ADDR listens on every interface/),
    ]);
  });

  it('warns when an external listener on every interface has nothing to advertise', () => {
    const env = { GOKV_CLUSTER_BIND_ADDR: '', GOKV_CLUSTER_NODE_ID: 'solo', GOKV_EXTERNAL_GRPC_BIND_ADDR: '0.0.0.0:50051' };
    const { config, warnings } = load(env);
    expect(config.addresses.grpcAdvertise).toBe('0.0.0.0:50051');
    expect(warnings).toEqual([expect.stringMatching(/^GOKV_EXTERNAL_GRPC_ADVERTISE_ADDR: not set, .*clients will be shown 0\.0\.0\.0:50051$/)]);
  });

  it('advertises external listeners on every interface under the cluster advertise host', () => {
    const env = {
      GOKV_CLUSTER_BIND_ADDR: '0.0.0.0:7946',
      GOKV_CLUSTER_ADVERTISE_ADDR: 'gokv1:7946',
      GOKV_EXTERNAL_GRPC_BIND_ADDR: '0.0.0.0:50051',
      GOKV_EXTERNAL_REST_BIND_ADDR: '0.0.0.0:8080',
      GOKV_EXTERNAL_REST_ADVERTISE_ADDR: 'api.example.com:443',
    };
    const { config, warnings } = load(env);
    expect(config.addresses).toMatchObject({
      clusterAdvertise: 'gokv1:7946',
      grpcAdvertise: 'gokv1:50051',
      restAdvertise: 'api.example.com:443',
    });
    expect(config.node.id).toBe('gokv1:7946');
    expect(warnings).toEqual([]);
  });

  it('rejects an advertise address nobody can dial', () => {
    expect(problemsOf({ GOKV_CLUSTER_ADVERTISE_ADDR: '0.0.0.0:7946' })).toEqual([
      'GOKV_CLUSTER_ADVERTISE_ADDR: 0.0.0.0 cannot be dialled; give an address peers and clients can reach',
    ]);
  });

  it('requires a node id when the cluster port is 0', () => {
    expect(problemsOf({ GOKV_CLUSTER_BIND_ADDR: '127.0.0.1:0' })[0]).toMatch(/^GOKV_CLUSTER_NODE_ID: required when the cluster address has port 0/);
    expect(load({ GOKV_CLUSTER_BIND_ADDR: '127.0.0.1:0', GOKV_CLUSTER_NODE_ID: 'n1' }).config.addresses.clusterBind).toBe('127.0.0.1:0');
  });

  it('parses seeds and drops the node\'s own address', () => {
    const env = { GOKV_CLUSTER_ADVERTISE_ADDR: 'gokv1:7946', GOKV_CLUSTER_SEEDS: 'gokv1=gokv1:7946,gokv2=gokv2:7946,gokv3:7946' };
    expect(load(env).config.addresses.seeds).toEqual([{ id: 'gokv2', addr: 'gokv2:7946' }, { addr: 'gokv3:7946' }]);
  });

  // The node never dials a seed carrying its own id, yet restore_on_startup: auto counted it as a
  // peer holding copies: a lone node listed under another name for its host skipped its snapshot.
  it('drops the seed carrying the node\'s own id, whatever address it gives', () => {
    const env = { GOKV_CLUSTER_NODE_ID: 'gokv1', GOKV_CLUSTER_SEEDS: 'gokv1=gokv1.example:7946,gokv2=gokv2:7946' };
    expect(load(env).config.addresses.seeds).toEqual([{ id: 'gokv2', addr: 'gokv2:7946' }]);
    expect(load({ ...env, GOKV_CLUSTER_SEEDS: 'gokv1=gokv1.example:7946' }).config.addresses.seeds).toEqual([]);
  });

  it('names each bad seed and where it came from', () => {
    expect(problemsOf({}, { '.env': 'GOKV_CLUSTER_SEEDS=gokv2,ok:1,x=y=z\n' })).toEqual([
      expect.stringMatching(/^\.env: GOKV_CLUSTER_SEEDS: bad seed "gokv2": .*; bad seed "x=y=z": /),
    ]);
  });

  it('rejects seeds when the cluster listener is off', () => {
    expect(problemsOf({ GOKV_CLUSTER_BIND_ADDR: '', GOKV_CLUSTER_NODE_ID: 'n', GOKV_CLUSTER_SEEDS: 'a:1' })).toEqual([
      'GOKV_CLUSTER_SEEDS: given, but the cluster listener is off (GOKV_CLUSTER_BIND_ADDR is empty)',
    ]);
  });

  it.each([
    ['GOKV_CLUSTER_BIND_ADDR', '7946'],
    ['GOKV_EXTERNAL_GRPC_BIND_ADDR', 'localhost'],
    ['GOKV_EXTERNAL_REST_BIND_ADDR', 'h:99999'],
    ['GOKV_EXTERNAL_RESP_BIND_ADDR', '::1:6379'],
    ['GOKV_EXTERNAL_GRPC_ADVERTISE_ADDR', 'x y:1'],
  ])('rejects a bad %s, naming it', (name, value) => {
    expect(problemsOf({ [name]: value })).toEqual([expect.stringMatching(new RegExp(`^${name}: expected host:port`))]);
  });

  it.each([
    ['GOKV_EXTERNAL_GRPC_BIND_ADDR', '127.0.0.1:7946', 'GOKV_CLUSTER_BIND_ADDR', '127.0.0.1:7946'],
    ['GOKV_EXTERNAL_RESP_BIND_ADDR', '0.0.0.0:8080', 'GOKV_EXTERNAL_REST_BIND_ADDR', '127.0.0.1:8080'],
    ['GOKV_EXTERNAL_REST_BIND_ADDR', '[::]:6379', 'GOKV_EXTERNAL_RESP_BIND_ADDR', '127.0.0.1:6379'],
  ])('refuses %s=%s, which collides with %s=%s', (name, value, other, otherValue) => {
    expect(problemsOf({ [name]: value, [other]: otherValue, GOKV_CLUSTER_ADVERTISE_ADDR: '127.0.0.1:7946' })).toEqual([
      expect.stringMatching(new RegExp(`^GOKV_\\w+_BIND_ADDR: .* same port as GOKV_\\w+_BIND_ADDR`)),
    ]);
  });

  it.each([
    ['127.0.0.1:0', '127.0.0.1:0'],
    ['127.0.0.1:6379', '127.0.0.2:6379'],
    ['0.0.0.0:6379', '[::1]:6379'],
  ])('lets listeners share a port where they can: %s and %s', (rest, resp) => {
    const env = { GOKV_EXTERNAL_REST_BIND_ADDR: rest, GOKV_EXTERNAL_RESP_BIND_ADDR: resp, GOKV_CLUSTER_NODE_ID: 'n' };
    expect(load(env).config.addresses).toMatchObject({ restBind: rest, respBind: resp });
  });

  it.each([
    ['debug', 'debug'],
    ['WARN', 'warn'],
    ['', 'info'],
    [' trace ', 'trace'],
  ])('reads GOKV_LOG_LEVEL=%j as %s', (value, level) => {
    expect(load({ GOKV_LOG_LEVEL: value }).config.node.logLevel).toBe(level);
  });

  it('rejects an unknown log level', () => {
    expect(problemsOf({ GOKV_LOG_LEVEL: 'loud' })).toEqual([
      'GOKV_LOG_LEVEL: expected one of trace, debug, info, warn, error, fatal, silent, got "loud"',
    ]);
  });

  it('resolves paths against the working directory', () => {
    const env = { GOKV_PERSISTENCE_PATH: 'snap/one.snapshot', GOKV_CLUSTER_NODE_ID: 'gokv1' };
    expect(load(env).config.node.persistencePath).toBe('/srv/gokv/snap/one.snapshot');
    expect(load({ GOKV_CLUSTER_NODE_ID: 'gokv1' }).config.node.persistencePath).toBe('/srv/gokv/data/gokv1.snapshot');
    expect(load({ GOKV_PERSISTENCE_PATH: '/var/lib/gokv/s' }).config.node.persistencePath).toBe('/var/lib/gokv/s');
  });

  it('rejects a node id that could not be a file name or a seed id', () => {
    expect(problemsOf({ GOKV_CLUSTER_NODE_ID: '../etc' })[0]).toMatch(/^GOKV_CLUSTER_NODE_ID: expected 1-255 of/);
  });
});

describe('TLS from the environment', () => {
  const internal = {
    GOKV_INTERNAL_TLS_CA_PATH: 'certs/ca.cert.pem',
    GOKV_INTERNAL_TLS_SERVER_CERT_PATH: 'certs/gokv1.cert.pem',
    GOKV_INTERNAL_TLS_SERVER_KEY_PATH: 'certs/gokv1.key.pem',
    GOKV_INTERNAL_TLS_CLIENT_CERT_PATH: 'certs/client.cert.pem',
    GOKV_INTERNAL_TLS_CLIENT_KEY_PATH: 'certs/client.key.pem',
  };
  const external = {
    GOKV_EXTERNAL_TLS_SERVER_CERT_PATH: 'certs/external.cert.pem',
    GOKV_EXTERNAL_TLS_SERVER_KEY_PATH: 'certs/external.key.pem',
  };

  it('is off by default', () => {
    const { tls } = load({}).config;
    expect(Object.values(tls.internal).every((path) => path === null)).toBe(true);
    expect(tls.external).toEqual({ caPath: null, serverCertPath: null, serverKeyPath: null, clientAuth: 'none' });
  });

  it('reads all five internal paths, resolved against the working directory', () => {
    expect(load(internal).config.tls.internal).toEqual({
      caPath: '/srv/gokv/certs/ca.cert.pem',
      serverCertPath: '/srv/gokv/certs/gokv1.cert.pem',
      serverKeyPath: '/srv/gokv/certs/gokv1.key.pem',
      clientCertPath: '/srv/gokv/certs/client.cert.pem',
      clientKeyPath: '/srv/gokv/certs/client.key.pem',
    });
  });

  it.each([
    [{ ...external }, 'none'],
    [{ ...external, GOKV_EXTERNAL_TLS_CA_PATH: 'certs/ca.cert.pem' }, 'require'],
    [{ ...external, GOKV_EXTERNAL_TLS_CA_PATH: 'certs/ca.cert.pem', GOKV_EXTERNAL_TLS_CLIENT_AUTH: 'request' }, 'request'],
    [{ ...external, GOKV_EXTERNAL_TLS_CA_PATH: 'certs/ca.cert.pem', GOKV_EXTERNAL_TLS_CLIENT_AUTH: 'NONE' }, 'none'],
  ])('sets external client auth from %j to %s', (env, clientAuth) => {
    expect(load(env).config.tls.external.clientAuth).toBe(clientAuth);
  });

  it.each([
    [{ GOKV_INTERNAL_TLS_CA_PATH: 'ca.pem' }, /^GOKV_INTERNAL_TLS_\*: internal mutual TLS needs all five paths.*missing GOKV_INTERNAL_TLS_SERVER_CERT_PATH, /],
    [{ ...internal, GOKV_INTERNAL_TLS_CLIENT_KEY_PATH: '' }, /missing GOKV_INTERNAL_TLS_CLIENT_KEY_PATH$/],
    [{ GOKV_EXTERNAL_TLS_SERVER_CERT_PATH: 'c.pem' }, /^GOKV_EXTERNAL_TLS_SERVER_KEY_PATH: external TLS needs both/],
    [{ GOKV_EXTERNAL_TLS_CA_PATH: 'ca.pem' }, /^GOKV_EXTERNAL_TLS_CA_PATH: given, but external TLS is off/],
    [{ ...external, GOKV_EXTERNAL_TLS_CLIENT_AUTH: 'require' }, /^GOKV_EXTERNAL_TLS_CLIENT_AUTH: require needs GOKV_EXTERNAL_TLS_CA_PATH/],
    [{ ...external, GOKV_EXTERNAL_TLS_CLIENT_AUTH: 'always' }, /^GOKV_EXTERNAL_TLS_CLIENT_AUTH: expected one of none, request, require/],
  ])('rejects the incomplete TLS setting %j', (env, problem) => {
    expect(problemsOf(env)).toEqual([expect.stringMatching(problem)]);
  });
});
