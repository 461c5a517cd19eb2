/**
 * Pure parsers for the text forms operators write: durations, sizes, `host:port` addresses and
 * seed lists. Each throws an Error whose message says what was expected and quotes what it got;
 * callers prefix the key and file (`config.yml: memory.max_memory: ...`).
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Seed } from './types.js';

/** The longest delay a Node timer honours (larger ones fire after 1 ms). */
export const MAX_TIMER_MS = 2_147_483_647;

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

const SIZE_UNITS_BYTES: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

const quote = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

/** `int.frac * unit` without binary-fraction error (`1.1s` is exactly 1100 ms). */
function scaled(intPart: string, fracPart: string | undefined, unit: number): number {
  const frac = fracPart ?? '';
  return Number(intPart) * unit + (Number(frac || '0') * unit) / 10 ** frac.length;
}

/**
 * `10s`, `500ms`, `1m30s`, `1.5s`, `2h` -> milliseconds; a bare whole number is milliseconds.
 * Units: ms, s, m, h (any order, summed, as Go's time.ParseDuration). Never negative; whole ms only.
 */
export function parseDuration(input: string | number): number {
  const fail = (): never => {
    const expected = 'expected a duration like 10s, 500ms or 1m30s (a bare number is milliseconds)';
    throw new Error(`${expected}, got ${quote(input)}`);
  };
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : fail();
  const text = input.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number.isSafeInteger(Number(text)) ? Number(text) : fail();
  if (text === '') fail();
  const part = /(\d+)(?:\.(\d{1,9}))?(ms|s|m|h)/y;
  let total = 0;
  for (let pos = 0; pos < text.length; pos = part.lastIndex) {
    part.lastIndex = pos;
    const match = part.exec(text);
    if (match === null) return fail();
    total += scaled(match[1] ?? '0', match[2], DURATION_UNITS_MS[match[3] ?? ''] ?? 0);
  }
  if (!Number.isSafeInteger(total)) {
    throw new Error(`durations are whole milliseconds below 2^53, got ${quote(input)}`);
  }
  return total;
}

/** `64mb`, `1gb`, `512kb`, `1k`, `1.5m`, `100b` or a bare number -> bytes (binary units: kb = 1024). */
export function parseSize(input: string | number): number {
  const fail = (): never => {
    throw new Error(`expected a size like 64mb, got ${quote(input)}`);
  };
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : fail();
  const match = /^(\d+)(?:\.(\d{1,9}))?\s*([a-z]*)$/.exec(input.trim().toLowerCase());
  const unit = match === null ? undefined : SIZE_UNITS_BYTES[match[3] ?? ''];
  if (match === null || unit === undefined) return fail();
  const bytes = scaled(match[1] ?? '0', match[2], unit);
  if (!Number.isSafeInteger(bytes)) throw new Error(`sizes are whole bytes below 2^53, got ${quote(input)}`);
  return bytes;
}

/** A parsed `host:port`; `host` has no brackets (IPv6 `::1`), lower-cased. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const HOSTNAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/;

/** `127.0.0.1:7946`, `gokv1:7946`, `[::1]:7946`, `0.0.0.0:0` -> `{ host, port }`. Port 0 is allowed. */
export function parseAddress(text: string): HostPort {
  const fail = (why = ''): never => {
    throw new Error(`expected host:port like 127.0.0.1:7946${why}, got ${quote(text)}`);
  };
  const input = text.trim().toLowerCase();
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(input);
  const plain = /^([^:[\]]*):([^:]*)$/.exec(input);
  const match = bracketed ?? plain;
  if (match === null) return fail(input.split(':').length > 2 ? ' (IPv6 hosts go in brackets: [::1]:7946)' : '');
  const host = match[1] ?? '';
  const portText = match[2] ?? '';
  if (host === '') fail(' (write 0.0.0.0:port to listen on every interface)');
  if (bracketed !== null ? !isIPv6(host) : /^[\d.]+$/.test(host) ? !isIPv4(host) : !HOSTNAME.test(host)) {
    fail(` (bad host ${quote(host)})`);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65_535) fail(' (port 0-65535)');
  return { host, port: Number(portText) };
}

/** The canonical text of an address: `host:port`, IPv6 in brackets. */
export const formatAddress = ({ host, port }: HostPort): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/** Canonical form of an address text (lower-case host, no leading zeros in the port). */
export const normalizeAddress = (text: string): string => formatAddress(parseAddress(text));

/** True for the any-interface hosts (`0.0.0.0`, `::`), which peers and clients cannot dial. */
export const isWildcardHost = (host: string): boolean =>
  host === '0.0.0.0' || (isIPv6(host) && /^[0:]+$/.test(host));

/** True for hosts only this machine reaches: `localhost`, 127.0.0.0/8, `::1`. */
export const isLoopbackHost = (host: string): boolean =>
  host === 'localhost' || (isIPv4(host) && host.startsWith('127.')) || host === '::1';

/** Characters allowed in node ids (also seed ids): no whitespace, `/`, `,`, `=` or `#`. */
export const NODE_ID = /^[A-Za-z0-9._:@[\]-]{1,255}$/;
export const NODE_ID_RULE = 'expected 1-255 of A-Z a-z 0-9 . _ : @ [ ] -';

/**
 * `GOKV_CLUSTER_SEEDS`: comma-separated `host:port` or `id=host:port`. Empty entries (a trailing
 * comma) are skipped, repeats of an address are kept once, and the node's own entry is dropped:
 * the one at `self` (its advertise address) or named `selfId` (its node id), which it never
 * dials. Every bad entry is named in one Error.
 */
export function parseSeeds(text: string, self?: string | null, selfId?: string): Seed[] {
  const problems: string[] = [];
  const seeds: Seed[] = [];
  const selfAddr = self === undefined || self === null ? null : normalizeAddress(self);
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const id = eq < 0 ? undefined : entry.slice(0, eq).trim();
    const addrText = eq < 0 ? entry : entry.slice(eq + 1).trim();
    try {
      if (id !== undefined && !NODE_ID.test(id)) throw new Error(`bad node id ${quote(id)}`);
      const addr = parseAddress(addrText);
      if (addr.port === 0) throw new Error('port 0 cannot be dialled');
      if (isWildcardHost(addr.host)) throw new Error(`${addr.host} cannot be dialled`);
      const canonical = formatAddress(addr);
      const seen = seeds.find((seed) => seed.addr === canonical);
      if (seen !== undefined && seen.id !== id) throw new Error(`${canonical} is listed twice with other ids`);
      if (seen === undefined && canonical !== selfAddr && (id === undefined || id !== selfId)) {
        seeds.push(id === undefined ? { addr: canonical } : { id, addr: canonical });
      }
    } catch (err) {
      problems.push(`bad seed ${quote(entry)}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`${problems.join('; ')} (expected host:port or id=host:port, comma-separated)`);
  }
  return seeds;
}

/** Milliseconds as the shortest duration text that parses back to them (`90000` -> `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = ms;
  let text = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return rest > 0 ? `${text}${rest}ms` : text;
}
