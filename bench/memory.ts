// Memory per entry: gokv's Store in a child with --expose-gc (heapUsed deltas after GC) beside
// redis-server's used_memory delta for the same data, loaded with redis-cli --pipe.
import { startTs, stopChild } from './children.js';
import { LAYOUTS, expiryOf, fieldFor, keyOf, valueOf, type Layout, type ProbeResult } from './memory-layouts.js';
import { pipeLoad } from './redis-bench.js';
import { redisCli, type RedisTarget } from './targets.js';

export interface MemoryRow {
  readonly layout: Layout;
  readonly about: string;
  readonly entries: number;
  readonly gokvBytesPerEntry: number;
  /** The store's own accounting (memory.max_memory uses it). */
  readonly gokvEstimateBytesPerEntry: number;
  readonly redisBytesPerEntry: number | null;
}

async function probeGokv(layout: Layout): Promise<ProbeResult> {
  const proc = startTs(`memory-${layout}`, 'bench/memory-probe.ts', [layout], {}, ['--expose-gc']);
  try {
    return await new Promise<ProbeResult>((resolve, reject) => {
      proc.child.once('message', (m) => resolve(m as ProbeResult));
      proc.child.once('exit', (code) => reject(new Error(`memory probe exited ${code}: ${proc.tail.join('').slice(-2000)}`)));
    });
  } finally {
    await stopChild(proc.child);
  }
}

function usedMemory(redis: RedisTarget): number {
  const info = redisCli(redis.port, ['INFO', 'memory']);
  const m = /used_memory:(\d+)/.exec(info);
  if (!m) throw new Error('no used_memory in INFO');
  return Number(m[1]);
}

function probeRedis(redis: RedisTarget, layout: Layout): number {
  const spec = LAYOUTS[layout];
  redisCli(redis.port, ['FLUSHALL', 'SYNC']);
  const before = usedMemory(redis);
  const commands: string[][] = [];
  const now = Date.now();
  for (let k = 0; k < spec.keys; k++) {
    const cmd = [spec.type === 'hash' ? 'HSET' : 'RPUSH', keyOf(layout, k)];
    for (let f = 0; f < spec.perKey; f++) {
      if (spec.type === 'hash') cmd.push(fieldFor(layout, k, f));
      cmd.push(valueOf(k, f));
    }
    commands.push(cmd);
    const at = expiryOf(layout, k, now);
    if (at !== undefined) commands.push(['PEXPIREAT', keyOf(layout, k), String(at)]);
  }
  pipeLoad(redis, commands);
  const keys = Number(redisCli(redis.port, ['DBSIZE']).trim());
  if (keys !== spec.keys) throw new Error(`redis holds ${keys} keys, expected ${spec.keys}`);
  const bytes = (usedMemory(redis) - before) / (spec.keys * spec.perKey);
  redisCli(redis.port, ['FLUSHALL', 'SYNC']);
  return bytes;
}

export async function measureMemory(layouts: readonly Layout[], redis: RedisTarget | undefined, log: (line: string) => void): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  for (const layout of layouts) {
    const g = await probeGokv(layout);
    const r = redis ? probeRedis(redis, layout) : null;
    log(`memory ${layout}: gokv ${g.heapBytesPerEntry.toFixed(1)} B/entry, redis ${r === null ? '-' : r.toFixed(1)}`);
    rows.push({
      layout,
      about: LAYOUTS[layout].about,
      entries: g.entries,
      gokvBytesPerEntry: g.heapBytesPerEntry,
      gokvEstimateBytesPerEntry: g.estimateBytesPerEntry,
      redisBytesPerEntry: r,
    });
  }
  return rows;
}
