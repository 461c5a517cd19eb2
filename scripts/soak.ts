// npm run soak -- --minutes N [--nodes 3] [--clients 16] [--keys 200000] [--workload mixed|deletes]:
// steady load against a small cluster of node processes with memory.max_memory set
// (test/fixtures/soak.yml: 8 MB per node, allkeys-lru, replicas 1): `mixed` (the default) reads
// and writes hashes and lists with TTLs and evictions; `deletes` only writes small hashes and
// deletes them, so that tombstones fill the limit. Every interval it prints throughput,
// client-side p50/p99 latency and, per node, keys, store memory against the limit (tombstones
// included), RSS, evictions, expirations and tombstones. It fails (exit 1) if a node's store
// memory goes past max_memory, its RSS goes past its starting RSS + 6 x max_memory + 64 MB, or,
// once the store is full (evicting), its RSS keeps growing: over the samples taken full, the
// last third's peak above the middle third's x 1.25 + 32 MB (the first third is the heap's
// warm-up).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TestClient } from '../test/helpers/client.js';
import { envIgnoringDotenv } from '../internal/config/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    nodes: { type: 'string', default: '3' },
    clients: { type: 'string', default: '16' },
    keys: { type: 'string', default: '200000' },
    workload: { type: 'string', default: 'mixed' },
  },
});
if (values.workload !== 'mixed' && values.workload !== 'deletes') throw new Error('--workload is mixed or deletes');
const minutes = Number(values.minutes);
const MAX_MEMORY = 8 * 2 ** 20; // test/fixtures/soak.yml
const intervalMs = Math.max(5_000, Math.round((minutes * 60_000) / 12));

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

interface SoakNode {
  id: string;
  internal: string;
  grpc: string;
  rest: string;
  child?: ChildProcess;
}

const nodes: SoakNode[] = [];
for (let i = 0; i < Number(values.nodes); i++) {
  nodes.push({ id: `soak${i + 1}`, internal: `127.0.0.1:${await freePort()}`, grpc: `127.0.0.1:${await freePort()}`, rest: `127.0.0.1:${await freePort()}` });
}
for (const n of nodes) {
  n.child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cmd', 'gokv', 'main.ts')], {
    cwd: root,
    env: envIgnoringDotenv({
      PATH: process.env.PATH ?? '',
      GOKV_LOG_LEVEL: 'warn',
      GOKV_CONFIG_PATH: join(root, 'test', 'fixtures', 'soak.yml'),
      GOKV_CLUSTER_NODE_ID: n.id,
      GOKV_CLUSTER_BIND_ADDR: n.internal,
      GOKV_CLUSTER_SEEDS: nodes.filter((o) => o !== n).map((o) => `${o.id}=${o.internal}`).join(','),
      GOKV_EXTERNAL_GRPC_BIND_ADDR: n.grpc,
      GOKV_EXTERNAL_REST_BIND_ADDR: n.rest,
      GOKV_EXTERNAL_RESP_BIND_ADDR: '',
      GOKV_PERSISTENCE_PATH: join(root, 'data', 'soak', `${n.id}.snapshot`),
    }),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
const stopNodes = () => nodes.forEach((n) => n.child?.kill('SIGKILL'));
process.on('exit', stopNodes);

const clients = nodes.map((n) => new TestClient(n.grpc));
// Wait until every node sees every node alive.
for (const deadline = Date.now() + 120_000; ; ) {
  const seen = await Promise.all(clients.map((c) => c.health().then((h) => h.peers.filter((p) => p.status === 'alive').length, () => 0)));
  if (seen.every((s) => s === nodes.length)) break;
  if (Date.now() > deadline) throw new Error(`cluster did not form: ${seen.join('/')}`);
  await new Promise((r) => setTimeout(r, 200));
}

// ---- load ----------------------------------------------------------------------------------
const KEYS = Number(values.keys);
const rand = (n: number) => Math.floor(Math.random() * n);
const value = () => 'v'.repeat(200 + rand(1800));
let latencies: number[] = [];
let ops = 0;
const errors: Record<string, number> = {};
let running = true;

async function one(client: TestClient): Promise<void> {
  const r = Math.random();
  const h = `h:${rand(KEYS)}`;
  const l = `l:${rand(KEYS / 100)}`;
  if (r < 0.3) await client.runOnce('HSET', h, `f${rand(10)}`, value());
  else if (r < 0.45) await client.runOnce('EXPIRE', h, String(1 + rand(30)));
  else if (r < 0.6) await client.runOnce('HGET', h, `f${rand(10)}`);
  else if (r < 0.7) await client.runOnce('HGETALL', h);
  else if (r < 0.82) await client.runOnce('RPUSH', l, value());
  else if (r < 0.85) await client.runOnce('LTRIM', l, '-100', '-1');
  else if (r < 0.95) await client.runOnce('LRANGE', l, '0', '9');
  else await client.runOnce('DEL', h);
}

/**
 * The `deletes` workload: each client writes a new small hash and deletes the one it wrote 100
 * steps before, so every other command leaves a tombstone (they count against max_memory).
 */
async function writeThenDelete(client: TestClient, i: number, step: number): Promise<void> {
  if (step % 2 === 0) await client.runOnce('HSET', `d:${i}:${step}`, 'f', 'v'.repeat(32));
  else await client.runOnce('DEL', `d:${i}:${step - 201}`);
}

const loops = Array.from({ length: Number(values.clients) }, async (_, i) => {
  const client = clients[i % clients.length]!;
  for (let step = 0; running; step++) {
    const started = performance.now();
    try {
      await (values.workload === 'deletes' ? writeThenDelete(client, i, step) : one(client));
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'ERR';
      errors[code] = (errors[code] ?? 0) + 1;
    }
    latencies.push(performance.now() - started);
    ops++;
  }
});

// ---- reports -------------------------------------------------------------------------------
const rssMb = (n: SoakNode) => {
  const status = readFileSync(`/proc/${n.child!.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
};
const metric = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

interface Sample {
  tMs: number;
  storeBytes: number[];
  rssMb: number[];
}
const samples: Sample[] = [];
const startedAt = Date.now();
console.log(`soak: ${nodes.length} nodes, max_memory 8 MB each, ${values.clients} clients, ${values.workload} workload, ${KEYS} hash keys, ${minutes} min, report every ${intervalMs / 1000} s`);
let lastOps = 0;
while (Date.now() - startedAt < minutes * 60_000) {
  await new Promise((r) => setTimeout(r, intervalMs));
  const lat = latencies.sort((a, b) => a - b);
  latencies = [];
  const rate = ((ops - lastOps) * 1000) / intervalMs;
  lastOps = ops;
  const per = await Promise.all(
    nodes.map(async (n) => {
      const [cluster, metrics] = await Promise.all([
        fetch(`http://${n.rest}/v1/cluster`).then((r) => r.json() as Promise<{ node: { keys: number; memoryUsedBytes?: number; memory?: { used: number } } }>),
        fetch(`http://${n.rest}/metrics`).then((r) => r.text()),
      ]);
      const store = metric(metrics, 'gokv_memory_used_bytes');
      return {
        id: n.id,
        keys: metric(metrics, 'gokv_keys') || cluster.node.keys,
        store,
        rss: rssMb(n),
        evicted: metric(metrics, 'gokv_evicted_keys_total'),
        expired: metric(metrics, 'gokv_expired_keys_total'),
        tombstones: metric(metrics, 'gokv_tombstones'),
        prunedEarly: metric(metrics, 'gokv_tombstones_pruned_early_total'),
      };
    }),
  );
  samples.push({ tMs: Date.now() - startedAt, storeBytes: per.map((p) => p.store), rssMb: per.map((p) => p.rss) });
  const t = Math.round((Date.now() - startedAt) / 1000);
  console.log(
    `t=${t}s ops/s=${rate.toFixed(0)} p50=${pct(lat, 50).toFixed(1)}ms p99=${pct(lat, 99).toFixed(1)}ms errors=${JSON.stringify(errors)} | ` +
      per.map((p) => `${p.id} keys=${p.keys} store=${(p.store / 2 ** 20).toFixed(1)}/8MB rss=${p.rss.toFixed(0)}MB evicted=${p.evicted} expired=${p.expired} tombstones=${p.tombstones} (dropped early ${p.prunedEarly})`).join(' | '),
  );
}
running = false;
await Promise.all(loops);

// ---- verdict -------------------------------------------------------------------------------
const problems: string[] = [];
const maxMb = MAX_MEMORY / 2 ** 20;
nodes.forEach((n, i) => {
  const overMax = samples.filter((s) => s.storeBytes[i]! > MAX_MEMORY * 1.05);
  if (overMax.length > 0) problems.push(`${n.id}: store memory over max_memory in ${overMax.length} samples`);
  const baseline = samples[0]!.rssMb[i]!;
  const peak = Math.max(...samples.map((s) => s.rssMb[i]!));
  if (peak > baseline + 6 * maxMb + 64) problems.push(`${n.id}: RSS ${peak.toFixed(0)} MB, over ${baseline.toFixed(0)} + 6 x max_memory + 64 MB`);
  const full = samples.filter((s) => s.storeBytes[i]! >= MAX_MEMORY * 0.9);
  let trend = 'store full in fewer than 6 samples: no trend check (run longer)';
  if (full.length >= 6) {
    const third = Math.floor(full.length / 3);
    const peak = (xs: Sample[]) => Math.max(...xs.map((s) => s.rssMb[i]!));
    const middle = peak(full.slice(third, 2 * third));
    const last = peak(full.slice(2 * third));
    trend = `while full: RSS peak ${middle.toFixed(0)} MB in the middle third, ${last.toFixed(0)} MB in the last`;
    if (last > middle * 1.25 + 32) problems.push(`${n.id}: RSS kept growing while full (${middle.toFixed(0)} -> ${last.toFixed(0)} MB)`);
  }
  console.log(`${n.id}: RSS start ${baseline.toFixed(0)} MB, peak ${peak.toFixed(0)} MB; ${trend}`);
});
for (const c of clients) c.close();
stopNodes();
console.log(problems.length === 0 ? `soak PASS: ${ops} ops, errors ${JSON.stringify(errors)}` : `soak FAIL:\n  ${problems.join('\n  ')}`);
process.exitCode = problems.length === 0 ? 0 : 1;
