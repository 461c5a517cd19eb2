// The p99 target as the nodes measure it. Each gokv node's /metrics is scraped just before and
// just after a measured window, and the difference of `gokv_command_duration_seconds` (from
// receiving a client command to its reply; forwarding and replication included) over all nodes
// gives the p99 the servers saw. The client-side p99 on this 2-core machine is mostly the load
// generators' own delays (see the bare server's floor at the same rate); this figure leaves them
// out. It also leaves out the wait in the socket and in grpc-js before gokv's handler runs, which
// the event-loop delay (scraped in the same read) bounds.
import { bucketQuantile } from '../internal/metrics/index.js';
import { parseExposition } from '../internal/metrics/testing/parse-exposition.js';

const DURATION = 'gokv_command_duration_seconds';
const LOOP_DELAY = 'gokv_event_loop_delay_seconds';

/** One node's cumulative latency histogram for one command, and its event-loop delay since the previous scrape. */
export interface LatencyReading {
  /** Finite bucket bounds in seconds, ascending. */
  readonly bounds: readonly number[];
  /** Cumulative counts per bound, then the total (the +Inf bucket). */
  readonly cumulative: readonly number[];
  /** p99 of the event-loop delay since the previous scrape, in ms; null when the node exports none. */
  readonly loopDelayP99Ms: number | null;
}

/** Reads `command`'s histogram and the event-loop p99 from a Prometheus text exposition. */
export function readLatency(text: string, command: string): LatencyReading {
  const samples = parseExposition(text).samples;
  const buckets = samples
    .filter((s) => s.name === `${DURATION}_bucket` && s.labels.command === command)
    .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), count: s.value }))
    .sort((a, b) => a.le - b.le);
  const loop = samples.find((s) => s.name === LOOP_DELAY && s.labels.stat === 'p99');
  const finite = buckets.filter((b) => Number.isFinite(b.le));
  return {
    bounds: finite.map((b) => b.le),
    cumulative: buckets.map((b) => b.count),
    // The metric already leaves out the monitor's sampling interval.
    loopDelayP99Ms: loop === undefined ? null : loop.value * 1000,
  };
}

export interface ServerLatency {
  /** Commands the nodes answered between the two readings. */
  readonly commands: number;
  /** p99 over all nodes, interpolated in its bucket as Prometheus's histogram_quantile does. */
  readonly p99Ms: number | null;
  /** Share of those commands slower than `thresholdMs` (exact when it is a bucket bound), in %. */
  readonly overThresholdPct: number | null;
  readonly thresholdMs: number;
  /** The worst node's event-loop delay p99 over the window, in ms. */
  readonly loopDelayP99Ms: number | null;
}

/**
 * The window between two readings of every node (same order), merged over the nodes. A node
 * that had not answered the command yet exports no histogram for it and counts as zeros. A node
 * whose counts went down (restarted) or whose bounds differ from the others' is an error: the
 * figure would be wrong rather than rough.
 */
export function serverLatency(before: readonly LatencyReading[], after: readonly LatencyReading[], thresholdMs = 5): ServerLatency {
  if (before.length !== after.length || after.length === 0) throw new Error('server latency needs one reading per node, before and after');
  const bounds = [...before, ...after].find((r) => r.cumulative.length > 0)?.bounds ?? [];
  const counts = new Array<number>(bounds.length + 1).fill(0);
  const cumulativeOf = (r: LatencyReading, n: number): readonly number[] => {
    if (r.cumulative.length === 0) return counts.map(() => 0);
    if (r.bounds.length !== bounds.length || r.bounds.some((x, i) => x !== bounds[i])) {
      throw new Error(`node ${n + 1}: latency buckets differ between nodes or readings`);
    }
    return r.cumulative;
  };
  let loop: number | null = null;
  after.forEach((a, n) => {
    const was = cumulativeOf(before[n]!, n);
    const now = cumulativeOf(a, n);
    let below = 0;
    for (let i = 0; i < counts.length; i++) {
      const upTo = now[i]! - was[i]!;
      if (upTo < 0) throw new Error(`node ${n + 1}: latency counts went down (restarted?)`);
      counts[i]! += upTo - below;
      below = upTo;
    }
    if (a.loopDelayP99Ms !== null) loop = Math.max(loop ?? 0, a.loopDelayP99Ms);
  });
  const commands = counts.reduce((x, y) => x + y, 0);
  const at = bounds.indexOf(thresholdMs / 1000);
  const within = at < 0 ? null : counts.slice(0, at + 1).reduce((x, y) => x + y, 0);
  const p99 = bucketQuantile(0.99, counts, bounds);
  return {
    commands,
    p99Ms: p99 === null ? null : p99 * 1000,
    overThresholdPct: commands === 0 || within === null ? null : ((commands - within) / commands) * 100,
    thresholdMs,
    loopDelayP99Ms: loop,
  };
}

/** Scrapes every URL's /metrics (a node that does not answer in 2 s fails the run). */
export async function scrapeLatency(metricsUrls: readonly string[], command: string): Promise<LatencyReading[]> {
  return Promise.all(
    metricsUrls.map(async (url) => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      return readLatency(await res.text(), command);
    }),
  );
}
