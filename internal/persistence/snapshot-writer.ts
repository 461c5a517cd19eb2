import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../clock/index.js';
import { RING_END, type BinStr, type KeyState } from '../store/index.js';
import { TOMBSTONE_TYPE, chunkFrameBytes, encodeChunkInto, type RecordState } from './record-codec.js';
import { encodeEnd, encodeHeader } from './snapshot-format.js';
import { checkSnapshotPath } from './snapshot-reader.js';

/**
 * What a snapshot reads from the store (Store satisfies it). Both calls are synchronous and
 * return whole values, so a key is exported as it was at one instant.
 */
export interface SnapshotSource {
  /** Live keys in ring-position order, a page at a time; pages are computed on demand. */
  rangeChunks(from: number, to: number, chunkKeys?: number): Iterable<BinStr[]>;
  /** Keys deleted recently (their tombstones still held) at ring positions [from, to). */
  tombstonedKeys(from: number, to: number): BinStr[];
  exportKey(key: BinStr): KeyState | undefined;
}

export interface SnapshotWriteOptions {
  /** Keys asked of the store per page (a page ends at a bucket boundary, so may hold more). */
  readonly chunkKeys: number;
  /** Synchronous work before yielding to the event loop (setImmediate); 0 = after every page. */
  readonly tickBudgetMs: number;
  /** Encoded bytes gathered (in one reused block) before they are written out. */
  readonly flushBytes: number;
}

export const DEFAULT_WRITE_OPTIONS: SnapshotWriteOptions = Object.freeze({
  chunkKeys: 512,
  tickBudgetMs: 4,
  flushBytes: 1 << 20,
});

export interface SnapshotResult {
  readonly path: string;
  /** Size of the file written. */
  readonly bytes: number;
  /** Live keys written. */
  readonly keys: number;
  /** Deleted keys written (as tombstone records). */
  readonly tombstones: number;
  /** Wall-clock ms when the walk began and ended (stored in the file). */
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  /** Monotonic time from start to the renamed, synced file. */
  readonly durationMs: number;
  /** The longest stretch of synchronous work between two yields. */
  readonly longestSliceMs: number;
}

/** Ring positions whose tombstones are exported in one step (the store's tombstone buckets). */
const TOMBSTONE_ARC = 2 ** 20;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Writes a snapshot of `source` atomically: to `<path>.tmp`, fsynced, renamed over `path`, then
 * the directory fsynced, so `path` always holds the previous complete snapshot or the new one.
 * The keyspace is walked in ring order, a page per step, yielding to the event loop whenever
 * `tickBudgetMs` of work has run; writes go on meanwhile. Each key is exported whole within one
 * tick, so every record is a state the key really had, at its version when the snapshot began or
 * a later one (see docs/architecture.md, "Snapshots").
 */
export async function writeSnapshot(
  source: SnapshotSource,
  clock: Clock,
  path: string,
  options: Partial<SnapshotWriteOptions> = {},
): Promise<SnapshotResult> {
  const { chunkKeys, tickBudgetMs, flushBytes } = { ...DEFAULT_WRITE_OPTIONS, ...options };
  const started = clock.monotonic();
  const startedAtMs = clock.now();
  const tmp = tempPathOf(path);
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(tmp, 'w', 0o600);
  let closed = false;
  try {
    const out = new FrameSink(handle, flushBytes);
    out.put(encodeHeader(startedAtMs));
    let keys = 0;
    let chunks = 0;
    let longestSliceMs = 0;
    let slice = clock.monotonic();
    const pause = async (wait: () => Promise<void>) => {
      longestSliceMs = Math.max(longestSliceMs, clock.monotonic() - slice);
      await wait();
      slice = clock.monotonic();
    };
    let tombstones = 0;
    const put = async (live: BinStr[], states: RecordState[]) => {
      if (live.length > 0) {
        out.encode(chunkFrameBytes(live, states), (buf, offset) => encodeChunkInto(buf, offset, live, states));
        chunks++;
      }
      if (out.full) await pause(() => out.flush()); // the write runs off the loop; commands run meanwhile
      else if (clock.monotonic() - slice >= tickBudgetMs) await pause(yieldToLoop);
    };
    for (const page of source.rangeChunks(0, RING_END, chunkKeys)) {
      // Exported and encoded in the same tick: the bytes are the keys' states of this tick.
      const { live, states } = exportPage(source, page, false);
      keys += live.length;
      await put(live, states);
    }
    // Deletions too: restored, an older copy of a deleted key (another node's file, a peer's
    // hand-off after a whole-cluster restart) must not bring the key back.
    for (let from = 0; from < RING_END; from += TOMBSTONE_ARC) {
      const { live: gone, states } = exportPage(source, source.tombstonedKeys(from, from + TOMBSTONE_ARC), true);
      tombstones += gone.length;
      await put(gone, states);
    }
    longestSliceMs = Math.max(longestSliceMs, clock.monotonic() - slice);
    const finishedAtMs = clock.now();
    out.put(encodeEnd({ chunks, records: keys + tombstones, finishedAtMs }));
    await out.flush();
    await handle.sync();
    closed = true;
    await handle.close();
    await checkSnapshotPath(path); // never renamed over a device or a FIFO
    await rename(tmp, path);
    await syncDirectory(dirname(path));
    return {
      path,
      bytes: out.written,
      keys,
      tombstones,
      startedAtMs,
      finishedAtMs,
      durationMs: clock.monotonic() - started,
      longestSliceMs,
    };
  } catch (err) {
    if (!closed) await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Where a snapshot of `path` is written before it is renamed in place. */
export const tempPathOf = (path: string): string => `${path}.tmp`;

/**
 * Removes the temporary file a snapshot killed mid-write (SIGKILL, a crash) left behind, so it
 * does not hold disk space until the next snapshot (never, with periodic snapshots off).
 * Returns whether there was one; a failure to remove it is the caller's to log.
 */
export async function removeStaleTemp(path: string): Promise<boolean> {
  try {
    await unlink(tempPathOf(path));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Exports one page's keys that are live (or, with `deleted`, still deleted, as tombstone
 * records); a key whose state changed since the page was listed is left out.
 */
function exportPage(
  source: SnapshotSource,
  page: readonly BinStr[],
  deleted: boolean,
): { live: BinStr[]; states: RecordState[] } {
  const live: BinStr[] = [];
  const states: RecordState[] = [];
  for (const key of page) {
    const state = source.exportKey(key);
    if (state === undefined || (state.deleted === true) !== deleted) continue;
    live.push(key);
    states.push(state.deleted === true ? { type: TOMBSTONE_TYPE, value: [], expireAtMs: 0, version: state.version } : state);
  }
  return { live, states };
}

/**
 * Frames encoded into one block that is reused after each write (a buffer per chunk would churn
 * ~100 MB of allocations per million keys). A frame that does not fit the block's free space is
 * encoded at once into a buffer of its own and written after the block: encoding never waits for
 * a write. The block is never written to while a write of it is in flight: every flush is awaited.
 */
class FrameSink {
  private readonly block: Buffer;
  private used = 0;
  private overflow: Buffer | undefined;
  written = 0;

  constructor(
    private readonly handle: FileHandle,
    capacity: number,
  ) {
    this.block = Buffer.allocUnsafe(Math.max(capacity, 64));
  }

  /** True once a frame went past the block: flush before encoding more. */
  get full(): boolean {
    return this.overflow !== undefined;
  }

  /** Encodes a frame of exactly `bytes` with `write(buf, offset) -> end`. */
  encode(bytes: number, write: (buf: Buffer, offset: number) => number): void {
    if (this.overflow !== undefined) throw new Error('FrameSink: flush before encoding more');
    const inBlock = this.used + bytes <= this.block.length;
    const buf = inBlock ? this.block : Buffer.allocUnsafe(bytes);
    const start = inBlock ? this.used : 0;
    const end = write(buf, start);
    if (end !== start + bytes) throw new Error(`FrameSink: frame of ${end - start} bytes, expected ${bytes}`);
    if (inBlock) this.used = end;
    else this.overflow = buf;
  }

  put(frame: Buffer): void {
    this.encode(frame.length, (buf, offset) => offset + frame.copy(buf, offset));
  }

  async flush(): Promise<void> {
    await this.writeAll(this.block.subarray(0, this.used));
    this.used = 0;
    if (this.overflow !== undefined) await this.writeAll(this.overflow);
    this.overflow = undefined;
  }

  private async writeAll(buf: Buffer): Promise<void> {
    for (let offset = 0; offset < buf.length; ) {
      const { bytesWritten } = await this.handle.write(buf, offset, buf.length - offset);
      if (bytesWritten === 0) throw new Error('short write: the disk took no bytes');
      offset += bytesWritten;
    }
    this.written += buf.length;
  }
}

/** fsyncs a directory so a rename in it is durable; a platform that cannot do so is skipped. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close();
  }
}
