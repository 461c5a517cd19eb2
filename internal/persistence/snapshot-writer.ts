import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../clock/index.js';
import { RING_END, type BinStr, type KeyState } from '../store/index.js';
import { encodeChunk, type SnapshotRecord } from './record-codec.js';
import { encodeEnd, encodeHeader } from './snapshot-format.js';

/**
 * What a snapshot reads from the store (Store satisfies it). Both calls are synchronous and
 * return whole values, so a key is exported as it was at one instant.
 */
export interface SnapshotSource {
  /** Live keys in ring-position order, a page at a time; pages are computed on demand. */
  rangeChunks(from: number, to: number, chunkKeys?: number): Iterable<BinStr[]>;
  exportKey(key: BinStr): KeyState | undefined;
}

export interface SnapshotWriteOptions {
  /** Keys asked of the store per page (a page ends at a bucket boundary, so may hold more). */
  readonly chunkKeys: number;
  /** Synchronous work before yielding to the event loop (setImmediate); 0 = after every page. */
  readonly tickBudgetMs: number;
  /** Encoded bytes gathered before they are written out. */
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
  /** Keys (records) written. */
  readonly keys: number;
  /** Wall-clock ms when the walk began and ended (stored in the file). */
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  /** Monotonic time from start to the renamed, synced file. */
  readonly durationMs: number;
  /** The longest stretch of synchronous work between two yields. */
  readonly longestSliceMs: number;
}

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
  const tmp = `${path}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(tmp, 'w', 0o600);
  let closed = false;
  try {
    const out = new FrameSink(handle);
    out.push(encodeHeader(startedAtMs));
    let keys = 0;
    let chunks = 0;
    let longestSliceMs = 0;
    let slice = clock.monotonic();
    const endSlice = () => {
      longestSliceMs = Math.max(longestSliceMs, clock.monotonic() - slice);
    };
    for (const page of source.rangeChunks(0, RING_END, chunkKeys)) {
      const records = exportPage(source, page);
      if (records.length > 0) {
        out.push(encodeChunk(records));
        keys += records.length;
        chunks++;
      }
      if (out.pendingBytes >= flushBytes) {
        endSlice();
        await out.flush(); // the write runs off the loop; commands run meanwhile
        slice = clock.monotonic();
      } else if (clock.monotonic() - slice >= tickBudgetMs) {
        endSlice();
        await yieldToLoop();
        slice = clock.monotonic();
      }
    }
    endSlice();
    const finishedAtMs = clock.now();
    out.push(encodeEnd({ chunks, records: keys, finishedAtMs }));
    await out.flush();
    await handle.sync();
    closed = true;
    await handle.close();
    await rename(tmp, path);
    await syncDirectory(dirname(path));
    return {
      path,
      bytes: out.written,
      keys,
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

/** Exports one page's keys; a key deleted or expired since the page was listed is left out. */
function exportPage(source: SnapshotSource, page: readonly BinStr[]): SnapshotRecord[] {
  const records: SnapshotRecord[] = [];
  for (const key of page) {
    const state = source.exportKey(key);
    if (state === undefined || state.deleted === true) continue;
    records.push({ key, type: state.type, value: state.value, expireAtMs: state.expireAtMs, version: state.version });
  }
  return records;
}

/** Frames gathered in memory and written out together (one writev per flush). */
class FrameSink {
  private pending: Buffer[] = [];
  pendingBytes = 0;
  written = 0;

  constructor(private readonly handle: FileHandle) {}

  push(frame: Buffer): void {
    this.pending.push(frame);
    this.pendingBytes += frame.length;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const buffers = this.pending;
    const total = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    const { bytesWritten } = await this.handle.writev(buffers);
    // libuv loops until everything is written; a short count would be a full disk or a bug.
    if (bytesWritten !== total) throw new Error(`short write: ${bytesWritten} of ${total} bytes`);
    this.written += total;
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
