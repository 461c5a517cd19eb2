// `npm run cluster`: three gokv nodes on loopback, the docker-compose topology without Docker.
// Each node's log lines are prefixed with its id; Ctrl-C (or SIGTERM) stops them all gracefully.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { connect } from 'node:net';
import { clusterSize, inheritedEnv, listeningText, planNodes, SIZE_VAR, startedText } from './cluster-plan.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nodeMain = join(root, 'dist', 'cmd', 'gokv', 'main.js');
let count: number;
try {
  count = clusterSize(process.env[SIZE_VAR]);
} catch (err) {
  process.stderr.write(`npm run cluster: ${(err as Error).message}\n`);
  process.exit(2);
}
const nodes = planNodes(count);

const children: ChildProcess[] = [];
let stopping = false;
for (const n of nodes) {
  const seeds = nodes.filter((o) => o !== n).map((o) => `${o.id}=${o.internal}`).join(',');
  const child = spawn(process.execPath, [nodeMain], {
    cwd: root,
    env: {
      ...inheritedEnv(process.env),
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
  child.on('exit', (code, signal) => {
    process.stdout.write(`[${n.id}] exited (${signal ?? code})\n`);
    // One node gone on its own (a taken port, a bad config): the cluster is not the one asked
    // for, so stop the rest and fail rather than leave them running, half a cluster.
    if (!stopping) {
      process.stderr.write(`npm run cluster: ${n.id} exited; stopping the other nodes (its lines above say why)\n`);
      process.exitCode = 1;
      stopAll();
    }
  });
  children.push(child);
}

process.stdout.write(startedText(nodes));
void printExamplesOnceListening();

/**
 * The examples are printed once every client port accepts a connection: printed at spawn, they
 * failed with ECONNREFUSED while the nodes were still starting. Says so after a minute.
 */
async function printExamplesOnceListening(): Promise<void> {
  const ports = nodes.flatMap((n) => [n.grpc, n.rest, n.resp]);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !stopping) {
    const open = await Promise.all(ports.map(accepts));
    if (open.every(Boolean)) {
      process.stdout.write(listeningText(nodes));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250).unref());
  }
  if (!stopping) process.stderr.write('npm run cluster: not every node is listening after a minute; see their lines above\n');
}

function accepts(addr: string): Promise<boolean> {
  const at = addr.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = connect(Number(addr.slice(at + 1)), addr.slice(0, at));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function stopAll(): void {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  // A graceful stop hands keys off for up to rebalance.leave_timeout (30 s) and more: leave it time.
  const force = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 60_000);
  force.unref();
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
process.on('SIGHUP', stopAll);
// Nodes in their own group outlive this script unless told: never leave one running behind us.
process.on('exit', () => children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL')));
