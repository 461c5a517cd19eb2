import { spawnSync } from 'node:child_process';

// Real network partitions between node processes (root only, `ip netns`): each node runs in its
// own network namespace with two links, one to a cluster bridge in a hub namespace (internal
// gRPC: gossip, forwarding, replication, hand-off) and one to the root namespace (external
// gRPC, so the test's clients reach every node whatever the partition). A partition takes a
// node's cluster link down; healing brings it back. The root namespace also has a link to the
// bridge, to read each node's KeyDigests. Everything is named with a per-run prefix and removed
// by teardown() (deleting a namespace deletes its links).

export interface NetnsNode {
  id: string;
  ns: string;
  /** Internal (cluster) address, on the bridge. */
  internal: string;
  /** External gRPC address, reachable from the root namespace. */
  grpc: string;
  /** The hub-side end of its cluster link (set down to cut it off). */
  hubLink: string;
}

const ip = (...args: string[]): void => {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr || r.error?.message}`);
};

/** Whether this process may create network namespaces (root with iproute2). */
export function netnsAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = `gkprobe${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return false;
  spawnSync('ip', ['netns', 'del', probe]);
  return true;
}

/**
 * A third octet no other lab on this machine uses now (two test runs at once, say a worktree's
 * beside the main one): two labs with one subnet route each other's traffic in the root
 * namespace, and connections fail with ECONNREFUSED. Starts from `preferred`.
 */
function freeSubnet(preferred: number): number {
  const used = spawnSync('ip', ['-o', 'addr'], { encoding: 'utf8' }).stdout ?? '';
  for (let i = 0; i < 150; i++) {
    const candidate = 100 + ((preferred - 100 + i) % 150);
    if (!used.includes(`10.231.${candidate}.`) && !used.includes(`10.232.${candidate}.`)) return candidate;
  }
  return preferred;
}

export class NetnsLab {
  readonly nodes: NetnsNode[] = [];
  private readonly prefix: string;
  private readonly hub: string;
  private readonly subnet: number;

  constructor(count: number) {
    this.prefix = `gk${process.pid % 100_000}`;
    this.hub = `${this.prefix}hub`;
    this.subnet = freeSubnet(100 + (process.pid % 150));
    for (let i = 1; i <= count; i++) {
      this.nodes.push({
        id: `gokv${i}`,
        ns: `${this.prefix}n${i}`,
        internal: `10.231.${this.subnet}.${10 + i}:7946`,
        grpc: `10.232.${this.subnet}.${4 * i + 1}:50051`,
        hubLink: `${this.prefix}h${i}`,
      });
    }
  }

  setUp(): void {
    const { hub, prefix, subnet } = this;
    ip('netns', 'add', hub);
    ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', hub, 'link', 'set', 'br0', 'up');
    // The root namespace's own link to the bridge (to read KeyDigests).
    ip('link', 'add', `${prefix}r`, 'type', 'veth', 'peer', 'name', `${prefix}R`, 'netns', hub);
    ip('-n', hub, 'link', 'set', `${prefix}R`, 'master', 'br0', 'up');
    ip('addr', 'add', `10.231.${subnet}.1/24`, 'dev', `${prefix}r`);
    ip('link', 'set', `${prefix}r`, 'up');
    this.nodes.forEach((n, k) => {
      const i = k + 1;
      ip('netns', 'add', n.ns);
      ip('-n', n.ns, 'link', 'set', 'lo', 'up');
      ip('-n', n.ns, 'link', 'add', 'c0', 'type', 'veth', 'peer', 'name', n.hubLink, 'netns', hub);
      ip('-n', hub, 'link', 'set', n.hubLink, 'master', 'br0', 'up');
      ip('-n', n.ns, 'addr', 'add', `10.231.${subnet}.${10 + i}/24`, 'dev', 'c0');
      ip('-n', n.ns, 'link', 'set', 'c0', 'up');
      ip('link', 'add', `${prefix}e${i}`, 'type', 'veth', 'peer', 'name', 'e0', 'netns', n.ns);
      ip('addr', 'add', `10.232.${subnet}.${4 * i + 2}/30`, 'dev', `${prefix}e${i}`);
      ip('link', 'set', `${prefix}e${i}`, 'up');
      ip('-n', n.ns, 'addr', 'add', `10.232.${subnet}.${4 * i + 1}/30`, 'dev', 'e0');
      ip('-n', n.ns, 'link', 'set', 'e0', 'up');
    });
  }

  /** The command prefix that runs a process inside node `n`'s namespace. */
  exec(n: NetnsNode): string[] {
    return ['ip', 'netns', 'exec', n.ns];
  }

  /** Cuts `n` off the cluster bridge (its clients still reach it). */
  isolate(n: NetnsNode): void {
    ip('-n', this.hub, 'link', 'set', n.hubLink, 'down');
  }

  heal(): void {
    for (const n of this.nodes) ip('-n', this.hub, 'link', 'set', n.hubLink, 'up');
  }

  tearDown(): void {
    for (const ns of [...this.nodes.map((n) => n.ns), this.hub]) spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['link', 'del', `${this.prefix}r`]);
  }
}
