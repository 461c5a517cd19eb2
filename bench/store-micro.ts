// `npm run build:bench && node dist/bench/store-micro.js [--keys N] [--ops N] [--store DIR]`:
// the store alone, one HSET or HGET at a time on random keys of a preloaded keyspace, in ns
// per command; then a key written and deleted on a store its tombstones keep at max_memory.
// No network, no router: what the data's layout costs, cache misses included.
// Keys arrive as fresh strings sliced from a Buffer, as the gRPC and RESP paths make them.
// `--store DIR` loads another build's store (for example a base build made by
// `npm run bench -- --ab --base REF`: /tmp/gokv-base-<sha>/dist/internal/store), so two
// layouts can be run alternately on one machine. Run it compiled (see replicator-micro.ts).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ManualClock, SeededRandom } from '../internal/clock/index.js';
import { binFromRange, type Store as StoreClass } from '../internal/store/index.js';

interface Options {
  readonly keys: number;
  readonly ops: number;
  readonly storeDir: string | undefined;
}

function parse(argv: readonly string[]): Options {
  const value = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    if (i < 0) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n < 1 || n > 10_000_000) throw new Error(`${flag}: a whole number from 1 to 10000000`);
    return n;
  };
  const dir = argv.indexOf('--store');
  return { keys: value('--keys', 100_000), ops: value('--ops', 2_000_000), storeDir: dir < 0 ? undefined : argv[dir + 1] };
}

async function main(): Promise<void> {
  const opts = parse(process.argv.slice(2));
  const module = opts.storeDir === undefined ? '../internal/store/index.js' : pathToFileURL(resolve(opts.storeDir, 'index.js')).href;
  const { Store } = (await import(module)) as { Store: typeof StoreClass };
  // Any spread of positions does: only the key buckets use them.
  const hashKey = (k: string): number => {
    let h = 0;
    for (let i = 0; i < k.length; i++) h = (Math.imul(h, 31) + k.charCodeAt(i)) >>> 0;
    return h;
  };
  const store = new Store({ clock: new ManualClock(), random: new SeededRandom(1), hashKey });
  const keyBytes = Buffer.alloc(16 * opts.keys);
  for (let k = 0; k < opts.keys; k++) keyBytes.write(`key:${String(k).padStart(12, '0')}`, 16 * k, 'latin1');
  const key = (k: number): string => binFromRange(keyBytes, 16 * k, 16 * k + 16);
  const valueBytes = Buffer.from(Array.from({ length: 1024 }, (_, i) => `value:${String(i).padStart(26, '0')}`).join(''), 'latin1');
  const value = (v: number): string => binFromRange(valueBytes, 32 * v, 32 * v + 32);
  const field = 'field:0000000000';
  for (let k = 0; k < opts.keys; k++) {
    const e = store.hashForWrite(key(k));
    e.value.set(field, value(0));
    store.commit(e);
  }
  // Seeded: both builds see the same keys in the same order.
  const random = new SeededRandom(12345);
  const rnd = (): number => random.next();
  const hset = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const e = store.hashForWrite(key((rnd() * opts.keys) | 0));
      if (e.value.set(field, value((rnd() * 1024) | 0)) !== 'unchanged') store.commit(e);
    }
  };
  let sink = 0;
  const hget = (n: number): void => {
    for (let i = 0; i < n; i++) sink += store.getHash(key((rnd() * opts.keys) | 0))?.value.get(field)?.length ?? 0;
  };
  // A key written and deleted, on a store whose tombstones fill its 8 MB max_memory: deletes
  // over the limit drop the oldest tombstones, a chunk at a time (1 ms of the test clock passes
  // every 10 deletes).
  const clock = new ManualClock();
  const full = new Store({ clock, random: new SeededRandom(2), hashKey }, { maxMemoryBytes: 8 * 2 ** 20, tombstoneMinRetentionMs: 1000 });
  let deleted = 0;
  const hsetDel = (n: number): void => {
    for (let i = 0; i < n; i++, deleted++) {
      const k = `deleted:${deleted}`;
      const e = full.hashForWrite(k);
      e.value.set(field, value(deleted & 1023));
      full.commit(e);
      full.delete(k);
      if (deleted % 10 === 0) clock.advance(1);
    }
  };
  hset(opts.ops / 4); // warm-up: V8 optimises the loops before they are timed
  hget(opts.ops / 4);
  hsetDel(opts.ops / 4); // and fills the 8 MB with tombstones
  const figures: string[] = [];
  for (const [name, run, n] of [['HSET', hset, opts.ops], ['HGET', hget, opts.ops], ['HSET+DEL at max_memory', hsetDel, opts.ops / 4]] as const) {
    const t0 = process.hrtime.bigint();
    run(n);
    figures.push(`${name} ${(Number(process.hrtime.bigint() - t0) / n).toFixed(0)} ns`);
  }
  if (sink < 0) console.log(sink); // keeps the reads from being optimised away
  console.log(`store ${opts.storeDir ?? '(this build)'}, ${opts.keys} keys: ${figures.join(', ')}`);
}

await main();
