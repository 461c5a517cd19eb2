// A log-bucketed latency histogram (HDR-ish): buckets grow by 2 %, from 1 us to ~100 s, so any
// percentile is within 2 % of the true value. Plain number arrays, so workers can send them over
// IPC and the coordinator can merge them.

/** Growth factor between bucket bounds. */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets cover 1 us .. GROWTH^BUCKETS us (~100 s). */
const BUCKETS = 931;

export class Histogram {
  readonly counts: number[];
  total = 0;

  constructor(counts?: readonly number[]) {
    this.counts = counts ? [...counts] : new Array<number>(BUCKETS).fill(0);
    for (const c of this.counts) this.total += c;
  }

  /** Records one latency in microseconds. */
  record(us: number): void {
    const i = us <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(us) / LOG_GROWTH));
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.total++;
  }

  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
    this.total += other.total;
  }

  /** The latency (us, bucket upper bound) below which `q` (0..1) of the samples fall. */
  percentile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.pow(GROWTH, i);
    }
    return Math.pow(GROWTH, BUCKETS - 1);
  }

  /** Sparse form for IPC: [index, count] pairs of the non-empty buckets. */
  toSparse(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    this.counts.forEach((c, i) => {
      if (c > 0) out.push([i, c]);
    });
    return out;
  }

  static fromSparse(pairs: ReadonlyArray<readonly [number, number]>): Histogram {
    const h = new Histogram();
    for (const [i, c] of pairs) {
      h.counts[i] = (h.counts[i] ?? 0) + c;
      h.total += c;
    }
    return h;
  }
}
