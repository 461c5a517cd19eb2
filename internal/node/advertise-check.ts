/**
 * Whether the host names this node advertises resolve. Peers dial GOKV_CLUSTER_ADVERTISE_ADDR and
 * clients are sent to the gRPC and REST ones; a name that does not resolve here most likely does
 * not resolve for them either, and the node would run unreachable with nothing said. The check
 * runs after the start and only warns: a name may resolve later (a container's DNS entry).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ENV, parseAddress, type AddressesConfig } from '../config/index.js';

/** Resolves a host name to one address; rejects with an error carrying a code (ENOTFOUND ...). */
export type Resolve = (host: string) => Promise<unknown>;

const LOOKUP_TIMEOUT_MS = 5_000;

/** One warning per advertised host name that does not resolve within `timeoutMs`. */
export async function unresolvedAdvertised(
  addresses: Pick<AddressesConfig, 'clusterAdvertise' | 'grpcAdvertise' | 'restAdvertise'>,
  resolve: Resolve = (host) => lookup(host),
  timeoutMs = LOOKUP_TIMEOUT_MS,
): Promise<string[]> {
  const named: [string, string | null][] = [
    [ENV.clusterAdvertise, addresses.clusterAdvertise],
    [ENV.grpcAdvertise, addresses.grpcAdvertise],
    [ENV.restAdvertise, addresses.restAdvertise],
  ];
  // One lookup at a time, once per host: a lookup holds a libuv pool thread, which snapshot writes
  // also need, and a resolver that hangs holds it until it gives up. After one timeout, stop.
  const verdicts = new Map<string, string | null>();
  const warnings: string[] = [];
  for (const [variable, addr] of named) {
    if (addr === null) continue;
    const { host } = parseAddress(addr);
    if (isIP(host) !== 0) continue;
    if (!verdicts.has(host)) verdicts.set(host, await failureOf(resolve(host), timeoutMs));
    const why = verdicts.get(host)!;
    if (why === null) continue;
    const who = variable === ENV.clusterAdvertise ? 'peers' : 'clients';
    warnings.push(`${variable}: the host '${host}' does not resolve here (${why}); ${who} told to dial ${addr} may not reach this node`);
    if (why.startsWith('no answer')) break;
  }
  return warnings;
}

/** null when `pending` settles well in time; else its error code, or 'no answer in N s'. */
async function failureOf(pending: Promise<unknown>, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((settle) => {
    timer = setTimeout(() => settle(`no answer in ${timeoutMs / 1000} s`), timeoutMs);
    timer.unref();
  });
  const outcome = pending.then(
    () => null,
    (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err),
  );
  try {
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
