/** The environment variables gokv reads (names kept from the Go gokv), and the CLI's own. */

export const ENV = {
  logLevel: 'GOKV_LOG_LEVEL',
  configPath: 'GOKV_CONFIG_PATH',
  persistencePath: 'GOKV_PERSISTENCE_PATH',
  nodeId: 'GOKV_CLUSTER_NODE_ID',
  clusterBind: 'GOKV_CLUSTER_BIND_ADDR',
  clusterAdvertise: 'GOKV_CLUSTER_ADVERTISE_ADDR',
  seeds: 'GOKV_CLUSTER_SEEDS',
  grpcBind: 'GOKV_EXTERNAL_GRPC_BIND_ADDR',
  grpcAdvertise: 'GOKV_EXTERNAL_GRPC_ADVERTISE_ADDR',
  restBind: 'GOKV_EXTERNAL_REST_BIND_ADDR',
  restAdvertise: 'GOKV_EXTERNAL_REST_ADVERTISE_ADDR',
  respBind: 'GOKV_EXTERNAL_RESP_BIND_ADDR',
  internalCa: 'GOKV_INTERNAL_TLS_CA_PATH',
  internalServerCert: 'GOKV_INTERNAL_TLS_SERVER_CERT_PATH',
  internalServerKey: 'GOKV_INTERNAL_TLS_SERVER_KEY_PATH',
  internalClientCert: 'GOKV_INTERNAL_TLS_CLIENT_CERT_PATH',
  internalClientKey: 'GOKV_INTERNAL_TLS_CLIENT_KEY_PATH',
  externalCa: 'GOKV_EXTERNAL_TLS_CA_PATH',
  externalServerCert: 'GOKV_EXTERNAL_TLS_SERVER_CERT_PATH',
  externalServerKey: 'GOKV_EXTERNAL_TLS_SERVER_KEY_PATH',
  externalClientAuth: 'GOKV_EXTERNAL_TLS_CLIENT_AUTH',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

/** Read by gokv-cli, not by the node; known so that they draw no warning. */
export const CLI_ENV = ['GOKV_CLIENT_URI', 'GOKV_CLIENT_CA', 'GOKV_CLIENT_CERT', 'GOKV_CLIENT_KEY', 'GOKV_CLI_HISTFILE'] as const;

/** Every `GOKV_*` name that is not a typo. */
export const KNOWN_ENV: ReadonlySet<string> = new Set<string>([...Object.values(ENV), ...CLI_ENV]);

/** Bind variables with their advertise variable (if any) and the AddressesConfig fields they set. */
export const LISTENERS = [
  {
    bind: ENV.clusterBind,
    advertise: ENV.clusterAdvertise,
    bindField: 'clusterBind',
    advertiseField: 'clusterAdvertise',
  },
  { bind: ENV.grpcBind, advertise: ENV.grpcAdvertise, bindField: 'grpcBind', advertiseField: 'grpcAdvertise' },
  { bind: ENV.restBind, advertise: ENV.restAdvertise, bindField: 'restBind', advertiseField: 'restAdvertise' },
  { bind: ENV.respBind, advertise: undefined, bindField: 'respBind', advertiseField: undefined },
] as const;

/** TLS path variables and the TlsConfig fields they set. */
export const TLS_PATHS = [
  { name: ENV.internalCa, side: 'internal', field: 'caPath' },
  { name: ENV.internalServerCert, side: 'internal', field: 'serverCertPath' },
  { name: ENV.internalServerKey, side: 'internal', field: 'serverKeyPath' },
  { name: ENV.internalClientCert, side: 'internal', field: 'clientCertPath' },
  { name: ENV.internalClientKey, side: 'internal', field: 'clientKeyPath' },
  { name: ENV.externalCa, side: 'external', field: 'caPath' },
  { name: ENV.externalServerCert, side: 'external', field: 'serverCertPath' },
  { name: ENV.externalServerKey, side: 'external', field: 'serverKeyPath' },
] as const;

/**
 * `vars` with every variable the node reads set: those not given, to empty (which counts as
 * unset, and turns a listener off). For a node a test or a benchmark starts: a real variable
 * wins over `.env`, even empty, so a developer's `.env` (copied from .env.example) in the
 * working directory cannot give the node another's addresses, TLS files or log level. Found
 * when a `.env` made a test's node advertise 127.0.0.1:7946.
 */
export function envIgnoringDotenv(vars: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.values(ENV)) out[name] = '';
  return { ...out, ...vars };
}
