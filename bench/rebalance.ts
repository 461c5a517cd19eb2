// `npm run bench:rebalance [-- --keys N]`: the hand-off cost of a join. Three gokv processes
// (replicas 2) are loaded with N keys (default 1M small hashes), a fourth joins, and the run
// measures how long until every node reports its hand-off done and nothing still arriving, and
// how many key copies were sent against the ideal (the keys whose new preference list includes
// the joiner: each needs exactly one copy moved to it).
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createHasher, Ring } from '../internal/ring/index.js';
import { loadProtos } from '../internal/wire/index.js';
import type { CommandResponse__Output } from '../internal/gen/commonpb/CommandResponse.js';
import type { ExternalServerClient } from '../internal/gen/externalpb/ExternalServer.js';
import type { HealthcheckResponse__Output } from '../internal/gen/externalpb/HealthcheckResponse.js';
import { freePort, installCleanup, startTs, stopChild, waitUntil, type Started } from './children.js';
import { envIgnoringDotenv } from '../internal/config/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const KEYS = arg('keys', 1_000_000);
const REPLICAS = 2;
const log = (line: string) => process.stderr.write(`bench:rebalance: ${line}\n`);

interface Spec {
  id: string;
  internal: string;
  grpc: string;
  rest: string;
}

installCleanup();
const configPath = join(tmpdir(), `gokv-rebalance-${process.pid}.yml`);
writeFileSync(configPath, `cluster:\n  replicas: ${REPLICAS}\n`);
const specs: Spec[] = [];
for (let i = 0; i < 4; i++) {
  const [a, b, c] = [await freePort(), await freePort(), await freePort()];
  specs.push({ id: `gokv${i + 1}`, internal: `127.0.0.1:${a}`, grpc: `127.0.0.1:${b}`, rest: `127.0.0.1:${c}` });
}
const seedsFor = (s: Spec) => specs.slice(0, 3).filter((o) => o !== s).map((o) => `${o.id}=${o.internal}`).join(',');
const start = (s: Spec): Started =>
  startTs(s.id, 'cmd/gokv/main.ts', [], {
    env: envIgnoringDotenv({
      PATH: process.env.PATH ?? '',
      GOKV_LOG_LEVEL: process.env.GOKV_LOG_LEVEL ?? 'warn',
      GOKV_CONFIG_PATH: configPath,
      GOKV_CLUSTER_NODE_ID: s.id,
      GOKV_CLUSTER_BIND_ADDR: s.internal,
      GOKV_CLUSTER_SEEDS: seedsFor(s),
      GOKV_EXTERNAL_GRPC_BIND_ADDR: s.grpc,
      GOKV_EXTERNAL_REST_BIND_ADDR: s.rest,
      GOKV_EXTERNAL_RESP_BIND_ADDR: '',
    }),
  }, ['--max-old-space-size=8192', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])]);

const { external } = loadProtos();
const clients = specs.map((s) => new external.externalpb.ExternalServer(s.grpc, grpc.credentials.createInsecure(), {
  'grpc.max_receive_message_length': 64 << 20,
}) as ExternalServerClient);
const health = (i: number) =>
  new Promise<HealthcheckResponse__Output>((resolve, reject) =>
    clients[i]!.Healthcheck({}, { deadline: Date.now() + 5000 }, (err, res) => (err ? reject(err) : resolve(res!))),
  );
const metric = async (i: number, name: string): Promise<number> => {
  const text = await (await fetch(`http://${specs[i]!.rest}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
};

/**
 * HSET key:<i> f <32 B> for every i, over `streams` StreamCommand streams through the 3 nodes.
 * A write that fails (an overloaded hop timing out) is sent again: replies come in order.
 */
async function load(streams = 6, window = 256): Promise<number> {
  let next = 0;
  let retried = 0;
  const again: number[] = [];
  const value = Buffer.alloc(32, 'v');
  const field = Buffer.from('field-0123456789'); // 16 B
  await Promise.all(
    Array.from({ length: streams }, (_, s) =>
      new Promise<void>((resolve, reject) => {
        const call = clients[s % 3]!.StreamCommand();
        const inFlight: number[] = [];
        let ended = false;
        const pump = () => {
          while (inFlight.length < window && (again.length > 0 || next < KEYS)) {
            const i = again.pop() ?? next++;
            inFlight.push(i);
            call.write({ command: 'HSET', key: `key:${i}`, args: [field, value] });
          }
          if (next >= KEYS && again.length === 0 && inFlight.length === 0 && !ended) {
            ended = true;
            call.end();
          }
        };
        call.on('data', (r: CommandResponse__Output) => {
          const i = inFlight.shift()!;
          if (r.error) {
            retried++;
            again.push(i);
          }
          pump();
        });
        call.on('end', resolve);
        call.on('error', reject);
        pump();
      }),
    ),
  );
  return retried;
}

const procs = specs.slice(0, 3).map(start);
try {
  await waitUntil('three nodes to converge', async () => {
    const views = await Promise.all([0, 1, 2].map(health));
    return views.every((v) => v.peers.filter((p) => p.status === 'alive').length === 3);
  }, 60_000);
  const settled = async (n: number) => {
    const own = (await Promise.all([...Array(n).keys()].map(health))).map((v) => v.peers[0]!);
    return own.every((p) => Number(p.handoffKeysPending) === 0 && p.arcsArriving === 0);
  };
  await waitUntil('the cluster\'s own formation hand-offs', () => settled(3), 60_000);
  const loadStart = performance.now();
  const retried = await load();
  log(`loaded ${KEYS} keys in ${((performance.now() - loadStart) / 1000).toFixed(1)} s (${retried} writes retried)`);
  const sentBefore = (await Promise.all([0, 1, 2].map((i) => metric(i, 'gokv_rebalance_keys_sent_total')))).reduce((a, b) => a + b, 0);

  // The ideal: keys whose preference list in the 4-member ring includes the joiner.
  const hasher = await createHasher();
  const ring = Ring.fromMembers(specs.map((s) => s.id), 256, hasher.textPosition);
  let ideal = 0;
  for (let i = 0; i < KEYS; i++) if (ring.owners(hasher.keyPosition(`key:${i}`), REPLICAS + 1).includes('gokv4')) ideal++;

  const joinedAt = performance.now();
  procs.push(start(specs[3]!));
  let keysTotal = 0;
  await waitUntil('the hand-off to finish', async () => {
    const views = await Promise.all([0, 1, 2, 3].map(health));
    const own = views.map((v) => v.peers[0]!);
    keysTotal = own.reduce((n, p) => n + Number(p.keys), 0);
    const alive = views.every((v) => v.peers.filter((p) => p.status === 'alive').length === 4);
    const idle = own.every((p) => Number(p.handoffKeysPending) === 0 && p.arcsArriving === 0);
    return alive && idle && keysTotal === KEYS * (REPLICAS + 1);
  }, 600_000);
  const seconds = (performance.now() - joinedAt) / 1000;
  const sent = (await Promise.all([0, 1, 2, 3].map((i) => metric(i, 'gokv_rebalance_keys_sent_total')))).reduce((a, b) => a + b, 0) - sentBefore;
  const joinerKeys = Number((await health(3)).peers[0]!.keys);
  const result = {
    keys: KEYS,
    replicas: REPLICAS,
    handOffSeconds: Number(seconds.toFixed(1)),
    copiesSent: sent,
    idealCopies: ideal,
    ratioToIdeal: Number((sent / ideal).toFixed(3)),
    joinerKeys,
    copiesInCluster: keysTotal,
  };
  console.log(JSON.stringify(result, null, 2));
  if (process.env.GOKV_LOG_LEVEL !== undefined) {
    for (const p of procs) for (const line of p.tail.join('').split('\n')) if (line.includes('hand-off') || line.includes('ring changed') || line.includes('arcs')) log(`${p.name} ${line}`);
  }
} finally {
  for (const c of clients) c.close();
  await Promise.all(procs.map((p) => stopChild(p.child)));
}
