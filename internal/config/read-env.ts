/**
 * Environment (real or from `.env`) -> node identity, addresses, seeds and TLS paths on a draft
 * Config, plus the values derived from them: advertise addresses, the node id and the snapshot
 * path. A set-but-empty bind address disables its listener; any other empty variable counts as
 * unset. Paths are resolved against `cwd`. Unknown `GOKV_*` names (in any case) are warnings,
 * never problems.
 */
import { resolve } from 'node:path';
import { LOG_LEVELS, CLIENT_AUTH_MODES } from './types.js';
import type { Config } from './types.js';
import type { Mutable } from './deep.js';
import { describe, type Origins } from './config-error.js';
import {
  defaultPersistencePath,
  DEFAULT_EXTERNAL_CLIENT_AUTH,
  DEFAULT_EXTERNAL_CLIENT_AUTH_WITH_CA,
} from './defaults.js';
import { ENV, KNOWN_ENV, LISTENERS, TLS_PATHS } from './env-names.js';
import {
  formatAddress,
  isWildcardHost,
  NODE_ID,
  NODE_ID_RULE,
  normalizeAddress,
  parseAddress,
  parseSeeds,
} from './parse-units.js';
import { suggest } from './suggest.js';

export interface EnvLayer {
  readonly problems: string[];
  readonly warnings: string[];
  /** Variables whose value could not be parsed (validate skips them, so each is reported once). */
  readonly failed: Set<string>;
}

const oneOf = <T extends string>(values: readonly T[]) => (text: string): T => {
  const lower = text.toLowerCase();
  const found = values.find((v) => v === lower);
  if (found === undefined) throw new Error(`expected one of ${values.join(', ')}, got ${JSON.stringify(text)}`);
  return found;
};

/** Lays the variables in `vars` (already merged: environment over `.env`) over `draft`. */
export function applyEnvironment(
  vars: ReadonlyMap<string, string>,
  cwd: string,
  draft: Mutable<Config>,
  origins: Origins,
): EnvLayer {
  const layer: EnvLayer = { problems: [], warnings: [], failed: new Set() };
  const problem = (name: string, message: string): void => void layer.problems.push(describe(name, message, origins));
  const warn = (name: string, message: string): void => void layer.warnings.push(describe(name, message, origins));
  const raw = (name: string): string | undefined => vars.get(name)?.trim();
  const given = (name: string): string | undefined => (raw(name) === '' ? undefined : raw(name));
  const attempt = <T>(name: string, text: string, parse: (text: string) => T): T | undefined => {
    try {
      return parse(text);
    } catch (err) {
      layer.failed.add(name);
      problem(name, (err as Error).message);
      return undefined;
    }
  };
  const ifGiven = <T>(name: string, parse: (text: string) => T, set: (value: T) => void): void => {
    const text = given(name);
    const value = text === undefined ? undefined : attempt(name, text, parse);
    if (value !== undefined) set(value);
  };

  for (const name of vars.keys()) {
    // Variable names are case-sensitive: `gokv_log_level` is not read, so it is a typo too.
    if (!name.toUpperCase().startsWith('GOKV_') || KNOWN_ENV.has(name)) continue;
    warn(name, `unknown variable, ignored${suggest(name, KNOWN_ENV)}`);
  }
  ifGiven(ENV.logLevel, oneOf(LOG_LEVELS), (level) => (draft.node.logLevel = level));

  const addresses = draft.addresses;
  for (const listener of LISTENERS) {
    const { bind: bindName, advertise: advertiseName, bindField, advertiseField } = listener;
    if (raw(bindName) === '') addresses[bindField] = null;
    else ifGiven(bindName, normalizeAddress, (addr) => (addresses[bindField] = addr));
    if (advertiseName === undefined) continue;
    const bind = addresses[bindField];
    const advertiseText = given(advertiseName);
    if (bind === null) {
      if (advertiseText !== undefined) warn(advertiseName, `ignored: the listener is off (${bindName} is empty)`);
      addresses[advertiseField] = null;
    } else if (advertiseText !== undefined) {
      addresses[advertiseField] = attempt(advertiseName, advertiseText, dialable) ?? bind;
    } else {
      addresses[advertiseField] = defaultAdvertise(bind, advertiseName, addresses.clusterAdvertise);
      const undialable = addresses[advertiseField] === bind && isWildcardHost(parseAddress(bind).host);
      if (!undialable || layer.failed.has(bindName)) continue;
      const why = `not set, and ${bindName} listens on every interface (${bind}), which cannot be dialled`;
      if (advertiseName === ENV.clusterAdvertise) {
        layer.failed.add(advertiseName);
        problem(advertiseName, `${why}; set it`);
      } else {
        warn(advertiseName, `${why}; clients will be shown ${bind}`);
      }
    }
  }

  const id = given(ENV.nodeId);
  if (id !== undefined) {
    if (NODE_ID.test(id)) draft.node.id = id;
    else problem(ENV.nodeId, `${NODE_ID_RULE}, got ${JSON.stringify(id)}`);
  } else if (addresses.clusterAdvertise === null) {
    problem(ENV.nodeId, `required when the cluster listener is off (${ENV.clusterBind} is empty)`);
  } else if (parseAddress(addresses.clusterAdvertise).port === 0) {
    const same = `every node would be "${addresses.clusterAdvertise}"`;
    problem(ENV.nodeId, `required when the cluster address has port 0 (${same})`);
  } else {
    draft.node.id = addresses.clusterAdvertise;
  }
  draft.node.persistencePath = resolve(cwd, given(ENV.persistencePath) ?? defaultPersistencePath(draft.node.id));

  const seedsText = given(ENV.seeds);
  if (seedsText !== undefined && addresses.clusterBind === null) {
    problem(ENV.seeds, `given, but the cluster listener is off (${ENV.clusterBind} is empty)`);
  } else if (seedsText !== undefined) {
    const seeds = attempt(ENV.seeds, seedsText, (text) => parseSeeds(text, addresses.clusterAdvertise, draft.node.id));
    if (seeds !== undefined) addresses.seeds = seeds;
  }

  for (const { name, side, field } of TLS_PATHS) {
    const path = given(name);
    if (path !== undefined) (draft.tls[side] as Record<string, string | null>)[field] = resolve(cwd, path);
  }
  const external = draft.tls.external;
  external.clientAuth = external.caPath === null ? DEFAULT_EXTERNAL_CLIENT_AUTH : DEFAULT_EXTERNAL_CLIENT_AUTH_WITH_CA;
  ifGiven(ENV.externalClientAuth, oneOf(CLIENT_AUTH_MODES), (mode) => (external.clientAuth = mode));
  return layer;
}

/** An address others can dial: not the any-interface host. */
function dialable(text: string): string {
  const addr = parseAddress(text);
  if (isWildcardHost(addr.host)) {
    throw new Error(`${addr.host} cannot be dialled; give an address peers and clients can reach`);
  }
  return formatAddress(addr);
}

/**
 * The advertise address when none is given: the bind address, or, when that listens on every
 * interface, the cluster advertise host with the bind port (`gokv1:7946` + `0.0.0.0:50051` ->
 * `gokv1:50051`), which is what docker-compose setups mean.
 */
function defaultAdvertise(bind: string, advertiseName: string, clusterAdvertise: string | null): string {
  const addr = parseAddress(bind);
  if (!isWildcardHost(addr.host) || advertiseName === ENV.clusterAdvertise || clusterAdvertise === null) return bind;
  const cluster = parseAddress(clusterAdvertise);
  return isWildcardHost(cluster.host) ? bind : formatAddress({ host: cluster.host, port: addr.port });
}
