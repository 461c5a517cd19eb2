import { arch, platform, release } from 'node:os';
import type { Reply } from '../command/index.js';
import type { CommandService } from '../server/index.js';
import type { ClientRegistry } from './clients.js';
import type { RespNodeInfo } from './types.js';

/** Redis's default INFO sections, in its order (`all`/`everything` give the same here). */
const SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'keyspace'] as const;
type Section = (typeof SECTIONS)[number];

/** Redis release whose replies gokv's RESP endpoint follows (clients read it as the version). */
export const REDIS_COMPAT_VERSION = '7.0.0';

export interface InfoSources {
  readonly service: CommandService;
  readonly info: RespNodeInfo;
  readonly clients: ClientRegistry;
  /** When the server started, on the `elapsed` clock. */
  readonly startedAtMs: number;
  /** Wall-clock ms (TIME). */
  readonly now: () => number;
  /** Monotonic ms (uptime, client ages): a wall-clock step must not age or rejuvenate them. */
  readonly elapsed: () => number;
  readonly port: number;
  /** limits.max_clients (INFO clients maxclients). */
  readonly maxClients: number;
}

/**
 * INFO as Redis lays it out (`# Section` headers, `field:value` lines, CRLF). Everything is
 * about the answering node except `keyspace`, which is the cluster's (DBSIZE WITHEXPIRES): a
 * client counting keys should see every key once, whichever node it asked.
 */
export async function infoText(requested: readonly string[], src: InfoSources): Promise<string> {
  const wanted = new Set(requested.map((s) => s.toLowerCase()));
  const all = wanted.size === 0 || ['default', 'all', 'everything'].some((s) => wanted.has(s));
  const sections = SECTIONS.filter((s) => all || wanted.has(s));
  const parts: string[] = [];
  for (const s of sections) {
    const lines = await section(s, src);
    parts.push(`# ${s[0]!.toUpperCase()}${s.slice(1)}\r\n${lines.map((l) => `${l}\r\n`).join('')}`);
  }
  return parts.join('\r\n');
}

async function section(name: Section, src: InfoSources): Promise<string[]> {
  const { info } = src;
  const uptime = Math.floor((src.elapsed() - src.startedAtMs) / 1000);
  switch (name) {
    case 'server':
      return [
        `redis_version:${REDIS_COMPAT_VERSION}`,
        `gokv_version:${info.gokvVersion}`,
        `gokv_node_id:${info.nodeId}`,
        'redis_mode:standalone',
        `os:${platform()} ${release()} ${arch()}`,
        `arch_bits:${arch().includes('64') ? 64 : 32}`,
        `process_id:${process.pid}`,
        `tcp_port:${src.port}`,
        `uptime_in_seconds:${uptime}`,
        `uptime_in_days:${Math.floor(uptime / 86400)}`,
        'executable:gokv',
      ];
    case 'clients':
      return [`connected_clients:${src.clients.size}`, `maxclients:${src.maxClients}`, 'blocked_clients:0'];
    case 'memory': {
      const used = info.usedMemoryBytes();
      const tombstones = info.tombstones();
      return [
        `used_memory:${used}`,
        `used_memory_human:${human(used)}`,
        `gokv_tombstones:${tombstones.count}`,
        `gokv_tombstone_memory:${tombstones.bytes}`,
        `maxmemory:${info.maxMemoryBytes}`,
        `maxmemory_human:${human(info.maxMemoryBytes)}`,
        `maxmemory_policy:${info.evictionPolicy}`,
      ];
    }
    case 'persistence': {
      // Redis's names for gokv's snapshots; before the first, the last save time is the start's.
      const s = info.snapshots?.();
      const startedWallMs = src.now() - (src.elapsed() - src.startedAtMs);
      return [
        'loading:0',
        `rdb_bgsave_in_progress:${s?.inProgress === true ? 1 : 0}`,
        `rdb_last_save_time:${Math.floor((s?.lastSuccessAtMs ?? startedWallMs) / 1000)}`,
        `rdb_last_bgsave_status:${s?.lastOk === false ? 'err' : 'ok'}`,
        `rdb_last_bgsave_time_sec:${s?.lastDurationMs === undefined ? -1 : Math.round(s.lastDurationMs / 1000)}`,
        `rdb_saves:${s?.saves ?? 0}`,
        'aof_enabled:0',
      ];
    }
    case 'stats': {
      const c = info.counters();
      return [
        `total_connections_received:${src.clients.connectionsReceived}`,
        `total_commands_processed:${src.clients.commandsProcessed}`,
        `rejected_connections:${src.clients.connectionsRejected}`,
        `expired_keys:${c.expiredKeys}`,
        `evicted_keys:${c.evictedKeys}`,
        `evicted_clients:${src.clients.evictedCount()}`,
        `gokv_tombstones_pruned_early:${c.tombstonesPrunedEarly}`,
      ];
    }
    case 'replication':
      // gokv replicates per key between nodes; to a Redis client every node is a master.
      return ['role:master', 'connected_slaves:0'];
    case 'keyspace':
      return keyspace(src.service);
  }
}

async function keyspace(service: CommandService): Promise<string[]> {
  let reply: Reply;
  try {
    reply = await service.execute({ name: 'DBSIZE', key: 'WITHEXPIRES', args: [] });
  } catch {
    return []; // a member unreachable: no count rather than a wrong one
  }
  // avg_ttl: Redis estimates it from the keys its expiry cycle samples; gokv's is the exact mean
  // (to the ms) of the remaining TTLs, from per-bucket deadline sums (store/key-buckets.ts).
  const [keys = 0, expires = 0, avgTtlMs = 0] = Array.isArray(reply) ? (reply as number[]) : [];
  // Redis leaves out an empty database.
  return keys ? [`db0:keys=${keys},expires=${expires},avg_ttl=${avgTtlMs}`] : [];
}

function human(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v}B` : `${v.toFixed(2)}${units[u]}`;
}
