// The servers under test, each started here as child processes on loopback with free ports:
// the bare grpc-js server, one gokv node, a three-node gokv cluster (replicas 2, sync), the bare
// three-node cluster (its transport ceiling), and redis-server for the outside reference.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../internal/wire/index.js';
import type { HealthcheckResponse__Output } from '../internal/gen/externalpb/HealthcheckResponse.js';
import { freePort, startProcess, startTs, stopChild, waitUntil, type Started } from './children.js';
import { envIgnoringDotenv } from '../internal/config/index.js';

export interface Target {
  readonly name: string;
  /** External gRPC addresses (clients spread over them). */
  readonly addresses: readonly string[];
  readonly procs: readonly Started[];
  /** Per process: the file its bench hook appends ELU samples to (none for redis). */
  readonly eluFiles: ReadonlyArray<string | undefined>;
  /** RESP ports, when the target serves the Redis protocol (redis-server, gokv with `resp`). */
  readonly respPorts?: readonly number[];
  /** gokv nodes' Prometheus endpoints (`/metrics` on their REST port), for the server-side p99. */
  readonly metricsUrls?: readonly string[];
  stop(): Promise<void>;
}

const scratch = mkdtempSync(join(tmpdir(), 'gokv-bench-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

function health(address: string): Promise<HealthcheckResponse__Output> {
  const { external } = loadProtos();
  const c = new external.externalpb.ExternalServer(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    c.Healthcheck({}, { deadline: Date.now() + 2000 }, (err, res) => {
      c.close();
      if (err || !res) reject(err ?? new Error('no reply'));
      else resolve(res);
    });
  });
}

function failWithTail(procs: readonly Started[], err: unknown): never {
  const tails = procs.map((p) => `--- ${p.name}\n${p.tail.join('').slice(-2000)}`).join('\n');
  throw new Error(`${err instanceof Error ? err.message : String(err)}\n${tails}`);
}

async function stopAll(procs: readonly Started[]): Promise<void> {
  await Promise.all(procs.map((p) => stopChild(p.child)));
}

export async function startBare(extraExecArgv: string[] = []): Promise<Target> {
  const address = `127.0.0.1:${await freePort()}`;
  const eluFile = join(scratch, 'bare.elu');
  const proc = startTs('bare', 'bench/bare-server.ts', [address], { env: { ...process.env, BENCH_ELU_FILE: eluFile } }, extraExecArgv);
  try {
    await waitUntil('the bare server', async () => (await health(address)).peers.length === 1);
  } catch (err) {
    await stopAll([proc]);
    failWithTail([proc], err);
  }
  return { name: 'bare', addresses: [address], procs: [proc], eluFiles: [eluFile], stop: () => stopAll([proc]) };
}

/** The bare cluster (bench/bare-cluster-node.ts): three processes that forward and replicate, no store. */
export async function startBareCluster(nodes = 3, extraExecArgv: string[] = []): Promise<Target> {
  const loopback = async () => `127.0.0.1:${await freePort()}`;
  const externals: string[] = [];
  const internals: string[] = [];
  for (let i = 0; i < nodes; i++) {
    externals.push(await loopback());
    internals.push(await loopback());
  }
  const eluFiles = externals.map((_, i) => join(scratch, `bare${nodes}-${i + 1}.elu`));
  const procs = externals.map((_, i) =>
    startTs(`bare${nodes}-${i + 1}`, 'bench/bare-cluster-node.ts', [String(i), externals.join(','), internals.join(',')], {
      env: { ...process.env, BENCH_ELU_FILE: eluFiles[i] },
    }, extraExecArgv),
  );
  try {
    await waitUntil(`bare${nodes}`, async () => (await Promise.all(externals.map(health))).every((h) => h.peers.length === nodes));
  } catch (err) {
    await stopAll(procs);
    failWithTail(procs, err);
  }
  return { name: `bare${nodes}`, addresses: externals, procs, eluFiles, stop: () => stopAll(procs) };
}

/**
 * gokv nodes from source, sync replication; `replicas` defaults to 0 for one node, 2 for more.
 * `root` runs another compiled checkout (`--ab --base`); `label` prefixes the target's name and
 * node ids, so that two targets of the same shape can be up together.
 */
export async function startGokv(
  nodes: number,
  extraExecArgv: string[] = [],
  options: { resp?: boolean; replicas?: number; root?: string; label?: string } = {},
): Promise<Target> {
  const name = `${options.label ?? ''}${nodes === 1 ? 'single' : `cluster${nodes}`}`;
  const configPath = join(scratch, `${name}.yml`);
  writeFileSync(configPath, `cluster:\n  replicas: ${options.replicas ?? (nodes === 1 ? 0 : 2)}\nreplication:\n  mode: sync\n`);
  const specs: Array<{ id: string; internal: string; grpc: string; rest: string; resp: number | undefined }> = [];
  const loopback = async () => `127.0.0.1:${await freePort()}`;
  for (let i = 0; i < nodes; i++) {
    const resp = options.resp ? await freePort() : undefined;
    specs.push({ id: `${name}-${i + 1}`, internal: await loopback(), grpc: await loopback(), rest: await loopback(), resp });
  }
  const procs = specs.map((s) => {
    const seeds = specs.filter((o) => o !== s).map((o) => `${o.id}=${o.internal}`).join(',');
    return startTs(s.id, 'cmd/gokv/main.ts', [], {
      env: envIgnoringDotenv({
        PATH: process.env.PATH ?? '',
        GOKV_LOG_LEVEL: 'warn',
        GOKV_CONFIG_PATH: configPath,
        GOKV_CLUSTER_NODE_ID: s.id,
        GOKV_CLUSTER_BIND_ADDR: s.internal,
        GOKV_CLUSTER_SEEDS: seeds,
        GOKV_EXTERNAL_GRPC_BIND_ADDR: s.grpc,
        GOKV_EXTERNAL_REST_BIND_ADDR: s.rest,
        GOKV_EXTERNAL_RESP_BIND_ADDR: s.resp === undefined ? '' : `127.0.0.1:${s.resp}`,
        GOKV_PERSISTENCE_PATH: join(scratch, `${s.id}.snapshot`),
        BENCH_ELU_FILE: join(scratch, `${s.id}.elu`),
      }),
    }, extraExecArgv, options.root);
  });
  const addresses = specs.map((s) => s.grpc);
  try {
    await waitUntil(`${name} to converge`, async () => {
      const views = await Promise.all(addresses.map(health));
      const versions = new Set(views.map((v) => String(v.ringVersion)));
      return versions.size === 1 && views.every((v) => v.peers.filter((p) => p.status === 'alive').length === nodes);
    }, 60_000);
  } catch (err) {
    await stopAll(procs);
    failWithTail(procs, err);
  }
  return {
    name,
    addresses,
    procs,
    eluFiles: specs.map((s) => join(scratch, `${s.id}.elu`)),
    metricsUrls: specs.map((s) => `http://${s.rest}/metrics`),
    ...(options.resp ? { respPorts: specs.map((s) => s.resp!) } : {}),
    stop: () => stopAll(procs),
  };
}

/** The targets that `--only` names and the bench loads with its workers, by part name. */
export const START_PART = {
  bare: startBare,
  single: () => startGokv(1),
  cluster: () => startGokv(3),
  bare3: () => startBareCluster(3),
} as const satisfies Record<string, () => Promise<Target>>;

/** Whether a program is on PATH. */
export function hasProgram(program: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface RedisTarget extends Target {
  readonly port: number;
}

/** redis-server on a free loopback port, no persistence. */
export async function startRedis(): Promise<RedisTarget> {
  const port = await freePort();
  const proc = startProcess('redis', 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', scratch,
  ]);
  try {
    await waitUntil('redis-server', () => redisCli(port, ['PING']).trim() === 'PONG');
  } catch (err) {
    await stopAll([proc]);
    failWithTail([proc], err);
  }
  return { name: 'redis', port, addresses: [`127.0.0.1:${port}`], procs: [proc], eluFiles: [undefined], respPorts: [port], stop: () => stopAll([proc]) };
}

export function redisCli(port: number, args: string[], input?: string | Buffer): string {
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
