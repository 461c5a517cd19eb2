import { formatAddress, parseAddress } from '../config/index.js';
import { UsageError } from './exit-codes.js';

/** The external gRPC port a bare `--uri host` means. */
const DEFAULT_PORT = 50051;
/** Server address when neither `--uri` nor GOKV_CLIENT_URI is given. */
export const DEFAULT_URI = `localhost:${DEFAULT_PORT}`;
/** Overall deadline of one command, retries included (`--timeout`). */
export const DEFAULT_TIMEOUT_MS = 5000;
/**
 * The longest `--timeout` (~24.8 days, the longest delay a Node timer takes): grpc-js throws
 * out of the call, past every handler, for a deadline much further away.
 */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** Flags as commander hands them over (all optional strings). */
export interface RawFlags {
  uri?: string;
  json?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  timeout?: string;
}

/** Paths of PEM files; TLS is on when any is set (no CA: the system roots verify the server). */
export interface TlsPaths {
  ca?: string;
  cert?: string;
  key?: string;
}

export interface CliOptions {
  uri: string;
  json: boolean;
  timeoutMs: number;
  tls?: TlsPaths;
}

/** Flags win over the environment; an empty variable counts as unset. Throws UsageError. */
export function resolveOptions(flags: RawFlags, env: Record<string, string | undefined>): CliOptions {
  const pick = (flag: string | undefined, name: string): string | undefined =>
    flag !== undefined && flag !== '' ? flag : env[name] || undefined;
  const uri = targetOf(pick(flags.uri, 'GOKV_CLIENT_URI') ?? DEFAULT_URI);
  const ca = pick(flags.ca, 'GOKV_CLIENT_CA');
  const cert = pick(flags.cert, 'GOKV_CLIENT_CERT');
  const key = pick(flags.key, 'GOKV_CLIENT_KEY');
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError(
      cert === undefined
        ? '--key (GOKV_CLIENT_KEY) needs --cert (GOKV_CLIENT_CERT) too'
        : '--cert (GOKV_CLIENT_CERT) needs --key (GOKV_CLIENT_KEY) too',
    );
  }
  const options: CliOptions = { uri, json: flags.json === true, timeoutMs: parseTimeout(flags.timeout) };
  if (ca !== undefined || cert !== undefined) {
    options.tls = { ...(ca !== undefined && { ca }), ...(cert !== undefined && key !== undefined && { cert, key }) };
  }
  return options;
}

/**
 * The address to dial: `host:port` or `[v6]:port`, checked here so a typo is a usage error rather
 * than a failed connection; a bare host gets port 50051. grpc-js's scheme forms (`dns:`,
 * `unix:`, `ipv4:`, `ipv6:`) are passed on as they are.
 */
function targetOf(raw: string): string {
  if (/^(dns|unix|unix-abstract|ipv4|ipv6):/i.test(raw)) return raw;
  const text = /^(\[[^\]]*\]|[^:]*)$/.test(raw) ? `${raw}:${DEFAULT_PORT}` : raw;
  try {
    const address = parseAddress(text);
    if (address.port === 0) throw new Error(`port 0 cannot be dialled, got '${raw}'`);
    return formatAddress(address);
  } catch (err) {
    throw new UsageError(`--uri (GOKV_CLIENT_URI): ${(err as Error).message}`);
  }
}

function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0 || ms > MAX_TIMEOUT_MS) {
    throw new UsageError(`--timeout must be a positive number of milliseconds up to ${MAX_TIMEOUT_MS}, got '${raw}'`);
  }
  return ms;
}
