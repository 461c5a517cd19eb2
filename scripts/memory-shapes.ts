// Memory accounting against the V8 heap, shape by shape and by the path data comes in on:
// commands with arguments decoded as gRPC and RESP bulks decode them (flat latin1 copies),
// RESP inline lines, REST bodies, and states merged by replication or hand-off (mergeKey).
// Per shape: the store's usedMemory delta, the heap + external delta after full GCs, and
// real/estimated. Up to about 1.5x either way is an estimate doing its job; several times
// more is memory max_memory does not see. Each shape runs in its own child process.
// Usage: npx tsx scripts/memory-shapes.ts [shape ...]   (no shape: all of them)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { executeCommand } from '../internal/command/index.js';
import { RespParser } from '../internal/resp/parser.js';
import { parseCompatCommand, parseV1Command } from '../internal/rest/command-request.js';
import { decodeReplicateBatch, encodeReplicateBatch } from '../internal/server/replicate-codec.js';
import { binFromRange, type Store } from '../internal/store/index.js';
import { makeStore } from '../internal/store/testing/fixtures.js';

const scratch = Buffer.alloc(1 << 20);
let seq = 0;

/** A fresh flat string of n bytes ending in `tag`'s digits (letters, or bytes >= 0x80). */
function bin(n: number, tag: number, binary = false): string {
  for (let i = 0; i < n; i++) scratch[i] = binary ? 0x80 + ((i * 31 + tag + seq) & 0x7f) : 97 + ((i + tag + seq) % 26);
  const t = String(tag);
  for (let i = 0; i < t.length && i < n; i++) scratch[n - 1 - i] = t.charCodeAt(t.length - 1 - i);
  seq++;
  return binFromRange(scratch, 0, n);
}

/** The same 16 B key for the same i, each call a new string. */
const keyOf = (i: number): string => binFromRange(Buffer.from(String(i).padStart(16, 'k')), 0, 16);

const cmd = (s: Store, name: string, key: string, ...args: string[]): void => {
  executeCommand(s, { name, key, args });
};

const parser = new RespParser({ maxArgs: 1 << 20, maxBulkBytes: 1 << 29, maxCommandBytes: 1 << 29 });

function inline(s: Store, line: string): void {
  parser.push(Buffer.from(`${line}\r\n`, 'latin1'));
  const w = parser.next() as string[];
  executeCommand(s, { name: w[0]!, key: w[1]!, args: w.slice(2) });
}

/** POST /command as the REST app gets it: a JSON body, then the compat parser. */
function compat(s: Store, line: string): void {
  executeCommand(s, parseCompatCommand(JSON.parse(JSON.stringify({ command: line })), 1 << 20));
}

const V = 1_700_000_000_000;

/**
 * Key i's state as a replica receives it: batched with the next 999 through the Replicate
 * codec (encode, then decode from one message buffer), then merged.
 */
function replicate(s: Store, i: number, type: string, value: (j: number) => string[]): void {
  if (i % 1000 !== 0) return;
  const ops = Array.from({ length: 1000 }, (_, j) => ({
    seq: i + j,
    state: { key: bin(16, i + j), type, value: value(i + j), expireAtMs: 0, version: V + i + j, deleted: false },
  }));
  for (const op of decodeReplicateBatch(encodeReplicateBatch({ leaderId: 'n1', ops })).ops) {
    const st = op.state!;
    s.mergeKey(st.key, { type: st.type as 'hash', value: st.value, expireAtMs: st.expireAtMs, version: st.version }, true);
  }
}
type Shape = { n: number; run: (s: Store, i: number) => void; after?: (s: Store, n: number) => void };

const SHAPES: Record<string, Shape> = {
  'hash-1': { n: 200_000, run: (s, i) => cmd(s, 'HSET', bin(16, i), bin(16, i), bin(32, i)) },
  'hash-1-shared-name': { n: 200_000, run: (s, i) => cmd(s, 'HSET', bin(16, i), bin(16, 0), bin(32, i)) },
  'hash-10': { n: 100_000, run: (s, i) => cmd(s, 'HSET', bin(16, i), ...Array.from({ length: 10 }, (_, f) => [bin(8, f), bin(32, i)]).flat()) },
  'hash-1m-fields': { n: 1_000_000, run: (s, i) => cmd(s, 'HSET', 'bighash', bin(16, i), bin(32, i)) },
  'hash-1m-then-hdel-90pct': {
    n: 1_000_000,
    run: (s, i) => cmd(s, 'HSET', 'bighash', keyOf(i), bin(32, i)),
    after: (s, n) => { for (let i = 0; i < n * 0.9; i++) cmd(s, 'HDEL', 'bighash', keyOf(i)); },
  },
  'hash-binary': { n: 200_000, run: (s, i) => cmd(s, 'HSET', bin(16, i), bin(16, i, true), bin(32, i, true)) },
  'hash-1-ttl': { n: 200_000, run: (s, i) => { const k = bin(16, i); cmd(s, 'HSET', k, bin(16, i), bin(32, i)); cmd(s, 'EXPIRE', k, '3600'); } },
  'list-3': { n: 200_000, run: (s, i) => cmd(s, 'RPUSH', bin(16, i), bin(32, i), bin(32, i + 1), bin(32, i + 2)) },
  'list-1m': { n: 1_000_000, run: (s, i) => cmd(s, 'RPUSH', 'biglist', bin(32, i)) },
  'list-1m-popped-to-quarter': {
    n: 1_000_000,
    run: (s, i) => cmd(s, 'RPUSH', 'biglist', bin(32, i)),
    after: (s) => cmd(s, 'LPOP', 'biglist', String(1_000_000 - 262_145)),
  },
  'list-9-trimmed-to-1': { n: 200_000, run: (s, i) => { const k = bin(16, i); cmd(s, 'RPUSH', k, ...Array.from({ length: 9 }, (_, j) => bin(32, j))); cmd(s, 'LTRIM', k, '0', '0'); } },
  'string-32': { n: 200_000, run: (s, i) => cmd(s, 'SET', bin(16, i), bin(32, i)) },
  'string-1k': { n: 100_000, run: (s, i) => cmd(s, 'SET', bin(16, i), bin(1024, i)) },
  'string-100k': { n: 2_000, run: (s, i) => cmd(s, 'SET', bin(16, i), bin(100_000, i)) },
  'string-binary': { n: 200_000, run: (s, i) => cmd(s, 'SET', bin(16, i), bin(32, i, true)) },
  'string-1k-key': { n: 100_000, run: (s, i) => cmd(s, 'SET', bin(1024, i), bin(32, i)) },
  'string-32-ttl': { n: 200_000, run: (s, i) => cmd(s, 'SET', bin(16, i), bin(32, i), 'EX', '3600') },
  'string-setrange-20x': { n: 20_000, run: (s, i) => { const k = bin(16, i); cmd(s, 'SET', k, bin(1000, i)); for (let j = 0; j < 20; j++) cmd(s, 'SETRANGE', k, String(j * 40), bin(20, j)); } },
  'append-1000x1B': { n: 2_000, run: (s, i) => { const k = bin(16, i); for (let j = 0; j < 1000; j++) cmd(s, 'APPEND', k, bin(1, j)); } },
  'append-100x10B': { n: 20_000, run: (s, i) => { const k = bin(16, i); for (let j = 0; j < 100; j++) cmd(s, 'APPEND', k, bin(10, j)); } },
  'append-200kx10B-one-key': { n: 200_000, run: (s, i) => cmd(s, 'APPEND', 'log', bin(10, i)) },
  'tombstones': { n: 200_000, run: (s, i) => { const k = bin(16, i); cmd(s, 'SET', k, bin(32, i)); cmd(s, 'DEL', k); } },
  'forget-95pct': {
    n: 200_000,
    run: (s, i) => cmd(s, 'SET', keyOf(i), bin(32, i)),
    after: (s, n) => { for (let i = 0; i < n * 0.95; i++) s.forget(keyOf(i), s.versionOf(keyOf(i))); },
  },
  'inline-string-32': { n: 200_000, run: (s, i) => inline(s, `SET ${bin(16, i)} ${bin(32, i)}`) },
  'inline-hash-1': { n: 200_000, run: (s, i) => inline(s, `HSET ${bin(16, i)} ${bin(16, i)} ${bin(32, i)}`) },
  'inline-string-1k': { n: 50_000, run: (s, i) => inline(s, `SET ${bin(16, i)} ${bin(1024, i)}`) },
  'rest-compat-string-32': { n: 200_000, run: (s, i) => compat(s, `SET ${bin(16, i)} ${bin(32, i)}`) },
  'rest-compat-1k-then-32': { n: 50_000, run: (s, i) => { compat(s, `SET ${keyOf(i)} ${bin(1024, i)}`); cmd(s, 'SET', keyOf(i), bin(32, i)); } },
  'rest-v1-1k-then-32': {
    n: 50_000,
    run: (s, i) => {
      const body: unknown = JSON.parse(JSON.stringify({ command: 'SET', key: keyOf(i), args: [bin(1024, i)] }));
      executeCommand(s, parseV1Command(body, 100).command);
      cmd(s, 'SET', keyOf(i), bin(32, i));
    },
  },
  'replicated-hash-1': { n: 200_000, run: (s, i) => replicate(s, i, 'hash', (k) => [bin(16, k), bin(32, k)]) },
  'replicated-list-5': { n: 200_000, run: (s, i) => replicate(s, i, 'list', (k) => Array.from({ length: 5 }, (_, j) => bin(32, k + j))) },
  'replicated-string-1k': { n: 100_000, run: (s, i) => replicate(s, i, 'string', (k) => [bin(1024, k)]) },
  'merge-hash-1': { n: 200_000, run: (s, i) => { s.mergeKey(bin(16, i), { type: 'hash', value: [bin(16, i), bin(32, i)], expireAtMs: 0, version: V + i }); } },
  'merge-hash-10': { n: 100_000, run: (s, i) => { s.mergeKey(bin(16, i), { type: 'hash', value: Array.from({ length: 10 }, (_, f) => [bin(8, f), bin(32, i)]).flat(), expireAtMs: 0, version: V + i }); } },
  'merge-list-5': { n: 200_000, run: (s, i) => { s.mergeKey(bin(16, i), { type: 'list', value: Array.from({ length: 5 }, (_, j) => bin(32, i + j)), expireAtMs: 0, version: V + i }); } },
  'merge-string-32': { n: 200_000, run: (s, i) => { s.mergeKey(bin(16, i), { type: 'string', value: [bin(32, i)], expireAtMs: 0, version: V + i }); } },
  'merge-string-32-ttl': { n: 200_000, run: (s, i) => { s.mergeKey(bin(16, i), { type: 'string', value: [bin(32, i)], expireAtMs: V + 1e8 + i, version: V + i }); } },
};

function heapBytes(gc: () => void): number {
  for (let i = 0; i < 4; i++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

function measure(name: string, shape: Shape): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run a shape with node --expose-gc');
  const { store } = makeStore();
  cmd(store, 'SET', 'warm-up', 'x');
  cmd(store, 'DEL', 'warm-up');
  const est0 = store.usedMemory;
  const heap0 = heapBytes(gc);
  for (let i = 0; i < shape.n; i++) shape.run(store, i);
  shape.after?.(store, shape.n);
  const real = heapBytes(gc) - heap0;
  const est = store.usedMemory - est0;
  const per = (b: number): string => (b / shape.n).toFixed(1).padStart(9);
  console.log(`${name.padEnd(28)} ${String(shape.n).padStart(9)} ${per(est)} ${per(real)} ${(real / est).toFixed(2).padStart(6)}x`);
  (globalThis as { kept?: unknown }).kept = store;
}

const [child, ...named] = process.argv.slice(2);
if (child === '--child') measure(named[0]!, SHAPES[named[0]!]!);
else {
  const names = child === undefined ? Object.keys(SHAPES) : [child, ...named];
  console.log(`${'shape'.padEnd(28)} ${'items'.padStart(9)} ${'est B/item'.padStart(9)} ${'real B/item'.padStart(9)}  ratio`);
  for (const name of names) {
    if (SHAPES[name] === undefined) throw new Error(`unknown shape ${name}: ${Object.keys(SHAPES).join(' ')}`);
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', name]);
    process.stdout.write(out);
  }
}
