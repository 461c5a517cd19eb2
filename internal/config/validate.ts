/**
 * Checks a whole Config, whatever built it (loadConfig or testConfig): every range, enum,
 * cross-key rule, address and TLS combination. Finds every problem before it throws one
 * ConfigError listing them all.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError, describe, type Origins } from './config-error.js';
import { ENV, LISTENERS, TLS_PATHS } from './env-names.js';
import { formatDuration, isWildcardHost, NODE_ID, NODE_ID_RULE, parseAddress } from './parse-units.js';
import { allKeySpecs, maxOf, type KeySpec } from './schema.js';
import { CLIENT_AUTH_MODES, LOG_LEVELS, type Config } from './types.js';

export interface Findings {
  readonly problems: string[];
  readonly warnings: string[];
}

export interface ValidateOptions {
  /** Key or variable -> the file it came from, to name in messages. */
  readonly origins?: Origins;
  /** Keys and variables already reported as unparsable: not checked again. */
  readonly skip?: ReadonlySet<string>;
}

const fieldOf = (group: object, field: string): unknown => (group as Record<string, unknown>)[field];

const show = (spec: KeySpec, value: number): string =>
  spec.kind === 'duration' ? formatDuration(value) : String(value);

function checkKey(spec: KeySpec, value: unknown): string | undefined {
  if (spec.kind === 'enum') {
    return typeof value === 'string' && spec.values?.includes(value) === true
      ? undefined
      : `expected one of ${spec.values?.join(', ') ?? ''}, got ${JSON.stringify(value)}`;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return `expected a whole number, got ${JSON.stringify(value)}`;
  }
  const min = spec.min ?? 0;
  const got = show(spec, value);
  if (value < min && min === 1 && spec.kind === 'duration') return `must be greater than 0, got ${got}`;
  if (value < min) return `must be at least ${show(spec, min)}, got ${got}`;
  if (value > maxOf(spec)) return `must be at most ${show(spec, maxOf(spec))}, got ${got}`;
  return undefined;
}

/** Every problem and warning of `config`, without throwing. */
export function findProblems(config: Config, options: ValidateOptions = {}): Findings {
  const { origins, skip = new Set<string>() } = options;
  const problems: string[] = [];
  const warnings: string[] = [];
  const problem = (label: string, message: string): void => void problems.push(describe(label, message, origins));
  const ok = (...labels: string[]): boolean => labels.every((label) => !skip.has(label));
  /** A rule between keys: named by the message itself, prefixed by the file of either key. */
  const between = (labels: readonly string[], message: string): void => {
    const origin = labels.map((l) => origins?.get(l)).find((o) => o !== undefined);
    if (ok(...labels)) problems.push(origin === undefined ? message : `${origin}: ${message}`);
  };

  for (const { section, spec } of allKeySpecs()) {
    const label = `${section}.${spec.key}`;
    const message = ok(label) ? checkKey(spec, fieldOf(config[section], spec.field)) : undefined;
    if (message !== undefined) problem(label, message);
  }
  checkBetweenKeys(config, between, (warning) => void warnings.push(warning));
  checkNode(config, problem, ok);
  checkAddresses(config, problem, ok);
  checkTls(config, problem);
  return { problems, warnings };
}

function checkBetweenKeys(
  { messaging: m, limits, maintenance: mt, rebalance, persistence }: Config,
  between: (labels: readonly string[], message: string) => void,
  warn: (message: string) => void,
): void {
  const d = formatDuration;
  if (m.suspectAfterMs >= m.deadAfterMs) {
    between(
      ['messaging.suspect_after', 'messaging.dead_after'],
      `messaging.suspect_after (${d(m.suspectAfterMs)}) must be less than messaging.dead_after (${d(m.deadAfterMs)})`,
    );
  }
  for (const [key, bytes] of [
    ['limits.max_value_bytes', limits.maxValueBytes],
    ['rebalance.batch_bytes', rebalance.batchBytes],
  ] as const) {
    if (bytes > limits.maxMessageBytes) {
      between(
        [key, 'limits.max_message_bytes'],
        `${key} (${bytes}) must not exceed limits.max_message_bytes (${limits.maxMessageBytes})`,
      );
    }
  }
  if (m.heartbeatIntervalMs > 0 && m.suspectAfterMs <= m.heartbeatIntervalMs) {
    warn(
      `messaging.suspect_after (${d(m.suspectAfterMs)}) is not above messaging.heartbeat_interval ` +
        `(${d(m.heartbeatIntervalMs)}): healthy members will be suspected`,
    );
  }
  if (m.forgetDeadAfterMs < m.deadAfterMs) {
    warn(
      `messaging.forget_dead_after (${d(m.forgetDeadAfterMs)}) is below messaging.dead_after: ` +
        'dead members may be forgotten before every node knows they died',
    );
  }
  if (mt.cleanupIntervalMs > 0 && mt.expiryBudgetMs >= mt.cleanupIntervalMs) {
    warn(
      `maintenance.expiry_budget (${d(mt.expiryBudgetMs)}) is not below maintenance.cleanup_interval: ` +
        'active expiry will run back to back',
    );
  }
  // Found by a review: 1ms was taken silently, for fsynced snapshots of the whole keyspace back to back.
  if (persistence.persistenceIntervalMs > 0 && persistence.persistenceIntervalMs < 1000) {
    warn(
      `persistence.persistence_interval (${d(persistence.persistenceIntervalMs)}) is under a second: ` +
        'snapshots of the whole keyspace will run back to back',
    );
  }
}

type Report = (label: string, message: string) => void;
type Unskipped = (...labels: string[]) => boolean;

function checkNode({ node }: Config, problem: Report, ok: Unskipped): void {
  if (ok(ENV.nodeId) && !NODE_ID.test(node.id)) {
    problem(ENV.nodeId, `${NODE_ID_RULE}, got ${JSON.stringify(node.id)}`);
  }
  if (ok(ENV.logLevel) && !(LOG_LEVELS as readonly string[]).includes(node.logLevel)) {
    problem(ENV.logLevel, `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(node.logLevel)}`);
  }
  if (node.persistencePath === '') problem(ENV.persistencePath, 'must not be empty');
}

function checkAddresses({ addresses }: Config, problem: Report, ok: Unskipped): void {
  const parses = (label: string, text: string, dialled: boolean): void => {
    try {
      const addr = parseAddress(text);
      if (dialled && isWildcardHost(addr.host)) problem(label, `${addr.host} cannot be dialled, got "${text}"`);
    } catch (err) {
      problem(label, (err as Error).message);
    }
  };
  for (const { bind, advertise, bindField, advertiseField } of LISTENERS) {
    const bindAddr = addresses[bindField];
    if (bindAddr !== null && ok(bind)) parses(bind, bindAddr, false);
    if (advertise === undefined || !ok(advertise, bind)) continue;
    const advertised = addresses[advertiseField];
    if (advertised !== null && bindAddr !== null) parses(advertise, advertised, advertise === ENV.clusterAdvertise);
    if (advertised === null && bindAddr !== null) problem(advertise, `missing while ${bind} is ${bindAddr}`);
  }
  checkBindCollisions(addresses, problem, ok);
  if (addresses.seeds.length > 0 && addresses.clusterBind === null) {
    problem(ENV.seeds, `given, but the cluster listener is off (${ENV.clusterBind} is empty)`);
  }
  if (ok(ENV.seeds)) for (const seed of addresses.seeds) parses(ENV.seeds, seed.addr, true);
}

/**
 * Two listeners on one port fail with EADDRINUSE once the node is half started; say which
 * variables clash instead. They clash on the same host, or when one listens on `::` (every
 * address, IPv4 included) or on `0.0.0.0` beside an IPv4 address. Port 0 never clashes, and
 * host names are left to the listen itself (they may resolve anywhere).
 */
function checkBindCollisions(addresses: Config['addresses'], problem: Report, ok: Unskipped): void {
  const seen: { name: string; text: string; host: string; port: number }[] = [];
  const covers = (wide: string, other: string): boolean =>
    (isIPv6(wide) && isWildcardHost(wide)) || (wide === '0.0.0.0' && isIPv4(other));
  for (const { bind: name, bindField } of LISTENERS) {
    const text = addresses[bindField];
    if (text === null || !ok(name)) continue;
    let addr;
    try {
      addr = parseAddress(text);
    } catch {
      continue; // reported by checkAddresses
    }
    if (addr.port === 0) continue;
    const clash = seen.find(
      (s) => s.port === addr.port && (s.host === addr.host || covers(s.host, addr.host) || covers(addr.host, s.host)),
    );
    if (clash !== undefined) {
      problem(name, `${text} takes the same port as ${clash.name} (${clash.text}); give each listener its own port`);
    }
    seen.push({ name, text, ...addr });
  }
}

function checkTls({ tls }: Config, problem: Report): void {
  const unset = (side: 'internal' | 'external'): string[] =>
    TLS_PATHS.filter((t) => t.side === side && fieldOf(tls[side], t.field) === null).map((t) => t.name);
  const internalMissing = unset('internal');
  if (internalMissing.length > 0 && internalMissing.length < 5) {
    const needs = 'internal mutual TLS needs all five paths (CA, server cert and key, client cert and key)';
    problem('GOKV_INTERNAL_TLS_*', `${needs}; missing ${internalMissing.join(', ')}`);
  }
  const ext = tls.external;
  if ((ext.serverCertPath === null) !== (ext.serverKeyPath === null)) {
    const missing = ext.serverCertPath === null ? ENV.externalServerCert : ENV.externalServerKey;
    problem(missing, 'external TLS needs both the server certificate and its key');
  }
  if (ext.caPath !== null && ext.serverCertPath === null && ext.serverKeyPath === null) {
    const off = `external TLS is off (set ${ENV.externalServerCert} and ${ENV.externalServerKey})`;
    problem(ENV.externalCa, `given, but ${off}`);
  }
  if (!(CLIENT_AUTH_MODES as readonly string[]).includes(ext.clientAuth)) {
    const got = JSON.stringify(ext.clientAuth);
    problem(ENV.externalClientAuth, `expected one of ${CLIENT_AUTH_MODES.join(', ')}, got ${got}`);
  } else if (ext.clientAuth !== 'none' && ext.caPath === null) {
    problem(ENV.externalClientAuth, `${ext.clientAuth} needs ${ENV.externalCa} to verify client certificates`);
  }
}

/** Throws one ConfigError naming every problem of `config`; returns its warnings otherwise. */
export function validate(config: Config, options: ValidateOptions = {}): string[] {
  const { problems, warnings } = findProblems(config, options);
  if (problems.length > 0) throw new ConfigError(problems);
  return warnings;
}
