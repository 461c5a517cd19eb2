// `npm run cluster`: three gokv nodes on loopback, the docker-compose topology without Docker.
// Each node's log lines are prefixed with its id; Ctrl-C (or SIGTERM) stops them all gracefully.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nodeMain = join(root, 'dist', 'cmd', 'gokv', 'main.js');
const count = Number(process.env.GOKV_CLUSTER_SIZE ?? 3);

const nodes = Array.from({ length: count }, (_, i) => ({
  id: `gokv${i + 1}`,
  internal: `127.0.0.1:${7946 + i}`,
  grpc: `127.0.0.1:${50051 + i}`,
  rest: `127.0.0.1:${8080 + i}`,
  resp: `127.0.0.1:${6379 + i}`,
}));

const children: ChildProcess[] = [];
for (const n of nodes) {
  const seeds = nodes.filter((o) => o !== n).map((o) => `${o.id}=${o.internal}`).join(',');
  const child = spawn(process.execPath, [nodeMain], {
    cwd: root,
    env: {
      ...process.env,
      GOKV_CLUSTER_NODE_ID: n.id,
      GOKV_CLUSTER_BIND_ADDR: n.internal,
      GOKV_CLUSTER_ADVERTISE_ADDR: n.internal,
      GOKV_CLUSTER_SEEDS: seeds,
      // Every address is set per node, advertised ones too: a .env copied from .env.example
      // (read by each node) would otherwise give all three the first node's addresses.
      GOKV_EXTERNAL_GRPC_BIND_ADDR: n.grpc,
      GOKV_EXTERNAL_GRPC_ADVERTISE_ADDR: n.grpc,
      GOKV_EXTERNAL_REST_BIND_ADDR: n.rest,
      GOKV_EXTERNAL_REST_ADVERTISE_ADDR: n.rest,
      GOKV_EXTERNAL_RESP_BIND_ADDR: n.resp,
      GOKV_PERSISTENCE_PATH: join(root, 'data', `${n.id}.snapshot`),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C reaches only this script, which sends each node one SIGTERM.
    // Were the nodes in the terminal's group they would get SIGINT and then that SIGTERM, and a
    // node takes a second signal as "exit now", cutting its graceful leave short.
    detached: true,
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${n.id}] ${line}\n`));
  }
  child.on('exit', (code, signal) => process.stdout.write(`[${n.id}] exited (${signal ?? code})\n`));
  children.push(child);
}

process.stdout.write(
  [
    `started ${count} nodes:`,
    ...nodes.map((n) => `  ${n.id}: gRPC ${n.grpc}  REST ${n.rest}  RESP ${n.resp}  internal ${n.internal}`),
    'try:',
    `  npx gokv-cli --uri ${nodes[0]!.grpc} status`,
    `  npx gokv-cli --uri ${nodes[1]!.grpc} run HSET user:1 name ada`,
    `  npx gokv-cli --uri ${nodes[2]!.grpc} run HGETALL user:1`,
    `  redis-cli -p ${nodes[1]!.resp.split(':')[1]} HGET user:1 name`,
    'Ctrl-C stops them all.',
    '',
  ].join('\n'),
);

let stopping = false;
function stopAll(): void {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  const force = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 15_000);
  force.unref();
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
process.on('SIGHUP', stopAll);
// Nodes in their own group outlive this script unless told: never leave one running behind us.
process.on('exit', () => children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL')));
