import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { TestClient } from './client.js';
import { freePort } from './free-port.js';
import { envIgnoringDotenv } from '../../internal/config/index.js';

export { freePort };

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ProcessNode {
  id: string;
  internal: string;
  grpc: string;
  child: ChildProcess | undefined;
  client: TestClient;
  log: string[];
  /** A command the node runs under, e.g. ['ip', 'netns', 'exec', 'ns1'] (default: none). */
  prefix?: string[];
}

/**
 * Real gokv processes (from source, through tsx) on loopback, each seeded with the others, for
 * tests that kill (SIGKILL), pause (SIGSTOP) or restart a node.
 */
export class ProcessCluster {
  readonly nodes: ProcessNode[] = [];

  private constructor(private readonly env: Record<string, string>) {}

  /** Starts nodes at given addresses (e.g. in network namespaces), each seeded with the others. */
  static async startAt(nodes: ReadonlyArray<Pick<ProcessNode, 'id' | 'internal' | 'grpc' | 'prefix'>>, env: Record<string, string> = {}): Promise<ProcessCluster> {
    const cluster = new ProcessCluster(env);
    for (const n of nodes) cluster.nodes.push({ ...n, child: undefined, client: new TestClient(n.grpc), log: [] });
    for (const node of cluster.nodes) cluster.spawn(node);
    await cluster.stopIfThrows(cluster.waitForAlive(cluster.nodes, nodes.length, 60_000));
    return cluster;
  }

  static async start(n: number, env: Record<string, string> = {}): Promise<ProcessCluster> {
    const cluster = new ProcessCluster(env);
    for (let i = 0; i < n; i++) {
      const internal = `127.0.0.1:${await freePort()}`;
      const grpc = `127.0.0.1:${await freePort()}`;
      cluster.nodes.push({ id: `gokv${i + 1}`, internal, grpc, child: undefined, client: new TestClient(grpc), log: [] });
    }
    for (const node of cluster.nodes) cluster.spawn(node);
    await cluster.stopIfThrows(cluster.waitForAlive(cluster.nodes, n));
    return cluster;
  }

  /**
   * A cluster that never came up is stopped before the error reaches the caller, who has no
   * handle to stop it: its node processes outlived the test run otherwise (found after a netns
   * run that failed while starting: a node was still running half an hour later).
   */
  private async stopIfThrows(started: Promise<void>): Promise<void> {
    try {
      await started;
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  spawn(node: ProcessNode): void {
    const seeds = this.nodes.filter((o) => o !== node).map((o) => `${o.id}=${o.internal}`).join(',');
    const argv = [process.execPath, '--import', 'tsx', join(root, 'cmd', 'gokv', 'main.ts')];
    const [command, ...args] = [...(node.prefix ?? []), ...argv] as [string, ...string[]];
    const child = spawn(command, args, {
      cwd: root,
      env: envIgnoringDotenv({
        PATH: process.env.PATH ?? '',
        GOKV_LOG_LEVEL: 'info',
        GOKV_CONFIG_PATH: join(root, 'config.yml'),
        GOKV_CLUSTER_NODE_ID: node.id,
        GOKV_CLUSTER_BIND_ADDR: node.internal,
        GOKV_CLUSTER_SEEDS: seeds,
        GOKV_EXTERNAL_GRPC_BIND_ADDR: node.grpc,
        GOKV_EXTERNAL_REST_BIND_ADDR: '',
        GOKV_EXTERNAL_RESP_BIND_ADDR: '',
        GOKV_PERSISTENCE_PATH: join(root, 'data', 'test', `${node.id}.snapshot`),
        ...this.env,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      node.log.push(d.toString());
      if (node.log.length > 2000) node.log.splice(0, 1000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    node.child = child;
  }

  kill(node: ProcessNode, signal: NodeJS.Signals = 'SIGKILL'): void {
    node.child?.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') node.child = undefined;
  }

  /** SIGTERM (a graceful leave: the node hands its keys off) and waits for the process to exit. */
  async terminate(node: ProcessNode, timeoutMs = 60_000): Promise<void> {
    const child = node.child;
    if (!child) return;
    node.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** Starts the node again under the same id and addresses (a new incarnation: a leave plus a join). */
  restart(node: ProcessNode): void {
    if (node.child) this.kill(node);
    this.spawn(node);
  }

  /** Which status `observer` gives member `id` (undefined when it does not list it). */
  async statusSeenBy(observer: ProcessNode, id: string): Promise<string | undefined> {
    const health = await observer.client.health();
    return health.peers.find((p) => p.nodeId === id)?.status;
  }

  /** Waits until each of `observers` lists member `id` with one of `statuses` (absent counts as 'gone'). */
  async waitForStatus(observers: readonly ProcessNode[], id: string, statuses: readonly string[], timeoutMs = 30_000): Promise<void> {
    await vi.waitFor(
      async () => {
        for (const o of observers) {
          const s = (await this.statusSeenBy(o, id)) ?? 'gone';
          if (!statuses.includes(s)) throw new Error(`${o.id} sees ${id} ${s}`);
        }
      },
      { timeout: timeoutMs, interval: 50 },
    );
  }

  /** Waits until each of `observers` sees `expected` alive members. */
  async waitForAlive(observers: readonly ProcessNode[], expected: number, timeoutMs = 30_000): Promise<void> {
    try {
      await vi.waitFor(
        async () => {
          for (const node of observers) {
            const health = await node.client.health();
            const alive = health.peers.filter((p) => p.status === 'alive').length;
            if (alive !== expected) throw new Error(`${node.id} sees ${alive} alive`);
          }
        },
        { timeout: timeoutMs, interval: 100 },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${await this.describe()}`, { cause: err });
    }
  }

  /** Each node's process state, its view of the members and the tail of its log (for failures). */
  async describe(): Promise<string> {
    const parts: string[] = [];
    for (const node of this.nodes) {
      const child = node.child;
      const proc = !child ? 'not running' : child.exitCode !== null || child.signalCode !== null ? `exited ${child.exitCode ?? child.signalCode}` : `pid ${child.pid}`;
      let view: string;
      try {
        const health = await node.client.health();
        view = health.peers.map((p) => `${p.nodeId}:${p.status}@${p.incarnation}`).join(' ');
      } catch (err) {
        view = `health failed: ${(err as Error).message}`;
      }
      const tail = node.log.join('').split('\n').filter(Boolean).slice(-15).join('\n    ');
      parts.push(`-- ${node.id} (${proc}) view: ${view}\n    ${tail}`);
    }
    return parts.join('\n');
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) {
      node.client.close();
      node.child?.kill('SIGKILL');
    }
  }
}
