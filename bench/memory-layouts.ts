// The data layouts the memory measurement loads into gokv's Store and into redis-server, with
// identical bytes on both sides.
export const LAYOUTS = {
  'hash-100': { keys: 10_000, perKey: 100, type: 'hash', about: '10k hashes x 100 fields (16 B field, 32 B value)' },
  'list-100': { keys: 10_000, perKey: 100, type: 'list', about: '10k lists x 100 elements (32 B)' },
  'hash-1': { keys: 1_000_000, perKey: 1, type: 'hash', about: '1M hashes x 1 field (16 B key, 16 B field, 32 B value)' },
  // As hash-1, but no two hashes share a field name, so gokv's field name pool saves nothing.
  'hash-1-own-field': {
    keys: 1_000_000,
    perKey: 1,
    type: 'hash',
    about: '1M hashes x 1 field, every field name distinct (16 B key, 16 B field, 32 B value)',
  },
  // As hash-1, with a TTL on one key in 100: how a cache that mixes keys with and without one
  // pays for it (in gokv, once a plain number field held an expiry, on every key).
  'hash-1-some-ttl': {
    keys: 1_000_000,
    perKey: 1,
    type: 'hash',
    ttlEvery: 100,
    about: '1M hashes x 1 field, a TTL on 1 key in 100 (16 B key, 16 B field, 32 B value)',
  },
} as const;
export type Layout = keyof typeof LAYOUTS;

export interface ProbeResult {
  readonly layout: Layout;
  readonly entries: number;
  readonly heapBytesPerEntry: number;
  readonly estimateBytesPerEntry: number;
}

/** The same bytes the bench's Redis load uses, so both hold identical data. */
export const keyOf = (layout: Layout, k: number): string => `${layout === 'list-100' ? 'lst' : 'key'}:${String(k).padStart(12, '0')}`;
export const fieldOf = (f: number): string => `field:${String(f).padStart(10, '0')}`;
/** Field `f` of key `k`: shared names (fieldOf) except in the layout whose names are distinct. */
export const fieldFor = (layout: Layout, k: number, f: number): string =>
  layout === 'hash-1-own-field' ? `own:${String(k).padStart(12, '0')}` : fieldOf(f);
/** The absolute expiry (ms) of key `k` in layouts with TTLs, or undefined: an hour or more away. */
export function expiryOf(layout: Layout, k: number, nowMs: number): number | undefined {
  const spec = LAYOUTS[layout];
  if (!('ttlEvery' in spec) || k % spec.ttlEvery !== 0) return undefined;
  return nowMs + 3_600_000 + k;
}
export const valueOf = (k: number, f: number): string => `${k}.${f}`.padStart(32, 'v');

