import { access, rename } from 'node:fs/promises';
import type { Clock } from '../clock/index.js';
import type { Logger } from '../log/index.js';
import { stateWireBytes, type BinStr, type EntryType, type KeyState } from '../store/index.js';
import { TOMBSTONE_TYPE, type SnapshotRecord } from './record-codec.js';
import { SnapshotFormatError } from './snapshot-format.js';
import { readSnapshot } from './snapshot-reader.js';

/** What a restore writes into (Store satisfies it): merge by version, as a transfer does. */
export interface RestoreTarget {
  mergeKey(key: BinStr, state: KeyState): boolean;
}

export interface RestoreReport {
  readonly path: string;
  readonly bytes: number;
  /** Records in the file. */
  readonly records: number;
  /** Keys merged into the store. */
  readonly restored: number;
  /** Deletions merged into the store (as tombstones: an older copy cannot bring the key back). */
  readonly deleted: number;
  /** Records already expired at restore time: dropped. */
  readonly expired: number;
  /** Records the store held at the same or a newer version: left as they were. */
  readonly older: number;
  /** Records the store refused (a type this build does not know): skipped. */
  readonly refused: number;
  /** When the snapshot's walk began (wall-clock ms, from the file). */
  readonly snapshotStartedAtMs: number;
  readonly durationMs: number;
}

export type RestoreOutcome =
  | { readonly kind: 'restored'; readonly report: RestoreReport }
  | { readonly kind: 'missing'; readonly path: string }
  | { readonly kind: 'skipped'; readonly path: string; readonly problem: string; readonly movedTo?: string };

/** Work between two yields to the event loop while records are merged. */
const RESTORE_SLICE_MS = 4;

export interface RestoreDeps {
  readonly target: RestoreTarget;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface RestoreOptions {
  /**
   * The most wire bytes a key may have (store's maxKeyBytes of limits.max_message_bytes; 0 =
   * none). A larger key could be neither replicated nor handed off: the hand-off would retry it
   * forever, so a file holding one stops the start instead.
   */
  readonly maxKeyBytes?: number;
  /**
   * A stop asked for while the node starts: the restore ends before its next frame and rejects
   * with the signal's reason. What was merged stays merged; the file is left as it is.
   */
  readonly signal?: AbortSignal;
}

/**
 * Loads the snapshot at `path` into the store. The whole file is checked first (every CRC, every
 * record and the end frame), so a damaged file changes nothing: it is reported (path and what is wrong),
 * renamed to `<path>.corrupt` (or `.corrupt.1` ... `.corrupt.9`) so the next snapshot does not
 * overwrite the evidence, and skipped.
 * Records merge by version and expired ones are dropped. Throws only when the file is there but
 * cannot be read (permissions, a directory, an I/O error), was written by a newer gokv, or,
 * damaged, cannot be moved aside: the node's next snapshot would replace it, or the node would
 * start empty beside it, so it must not start (as Redis refuses to).
 */
export async function restoreSnapshot(deps: RestoreDeps, path: string, options: RestoreOptions = {}): Promise<RestoreOutcome> {
  const { log, clock } = deps;
  const { maxKeyBytes = 0, signal } = options;
  try {
    // Every record is decoded too: a chunk whose checksum holds but whose records do not parse
    // (a writer's bug, a crafted file) is damage found before anything is merged.
    await readSnapshot(path, () => undefined, signal);
  } catch (err) {
    if (signal?.aborted) throw stoppedWhile(deps, path, signal, 0);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      log.info({ path }, 'no snapshot to restore');
      return { kind: 'missing', path };
    }
    return skip(deps, path, err);
  }

  const started = clock.monotonic();
  const counts = { restored: 0, deleted: 0, expired: 0, older: 0, refused: 0, records: 0 };
  let refusal: string | undefined;
  let slice = clock.monotonic();
  const apply = async (records: SnapshotRecord[]) => {
    // Restore runs before the node serves, but timers and signals still deserve their turn.
    if (clock.monotonic() - slice >= RESTORE_SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      slice = clock.monotonic();
    }
    const now = clock.now();
    for (const r of records) {
      counts.records++;
      if (r.expireAtMs > 0 && r.expireAtMs <= now) {
        counts.expired++;
        continue;
      }
      const bytes = stateWireBytes(r.key, r.value);
      if (maxKeyBytes > 0 && bytes > maxKeyBytes) throw new KeyOverLimit(path, bytes, maxKeyBytes);
      try {
        // The type stays a name end to end: the store decides which types it knows.
        if (r.type === TOMBSTONE_TYPE) {
          if (deps.target.mergeKey(r.key, { deleted: true, version: r.version })) counts.deleted++;
          else counts.older++;
          continue;
        }
        const state = { type: r.type as EntryType, value: r.value, expireAtMs: r.expireAtMs, version: r.version };
        if (deps.target.mergeKey(r.key, state)) counts.restored++;
        else counts.older++;
      } catch (err) {
        counts.refused++;
        refusal ??= `type '${r.type}': ${err instanceof Error ? err.message : String(err)}`;
      }
    }
  };
  try {
    const summary = await readSnapshot(path, apply, signal);
    const report: RestoreReport = {
      path,
      bytes: summary.bytes,
      ...counts,
      snapshotStartedAtMs: summary.header.startedAtMs,
      durationMs: clock.monotonic() - started,
    };
    if (refusal !== undefined) log.warn({ path, refused: counts.refused, first: refusal }, 'snapshot records refused by the store');
    const { records, restored, deleted, expired, older, refused, bytes, durationMs, snapshotStartedAtMs } = report;
    log.info(
      { path, bytes, records, restored, deleted, expired, older, refused, snapshotStartedAtMs, durationMs: Math.round(durationMs) },
      'snapshot restored',
    );
    return { kind: 'restored', report };
  } catch (err) {
    if (err instanceof KeyOverLimit) throw err;
    if (signal?.aborted) throw stoppedWhile(deps, path, signal, counts.records);
    // Only if the file changed between the check and the load: what was merged stays merged.
    log.error({ path, problem: problemOf(err), restoredSoFar: counts.restored }, 'snapshot changed while it was restored');
    return { kind: 'skipped', path, problem: problemOf(err) };
  }
}

async function skip(deps: RestoreDeps, path: string, err: unknown): Promise<RestoreOutcome> {
  const problem = problemOf(err);
  if (!(err instanceof SnapshotFormatError)) throw keptFromStart(path, `cannot be read (${problem})`);
  // Set aside, it would be restored by nobody: the newer gokv that can read it is what to start.
  if (err.newer) throw keptFromStart(path, `was written by a newer gokv: ${problem}`);
  let movedTo = `${path}.corrupt`;
  try {
    movedTo = await unusedName(movedTo);
    await rename(path, movedTo);
  } catch (renameErr) {
    throw keptFromStart(path, `is damaged (${problem}) and cannot be moved to ${movedTo} (${problemOf(renameErr)})`);
  }
  deps.log.error({ path, problem, movedTo }, 'snapshot damaged: not restored');
  return { kind: 'skipped', path, problem, movedTo };
}

/** Damaged files kept beside a snapshot path at most: past them, something keeps damaging it. */
const MAX_KEPT_DAMAGED = 10;

/** `base`, or `base.1` ... `base.9`: the first name no file has, so earlier evidence stays. */
async function unusedName(base: string): Promise<string> {
  for (let i = 0; i < MAX_KEPT_DAMAGED; i++) {
    const name = i === 0 ? base : `${base}.${i}`;
    try {
      await access(name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return name;
      throw err;
    }
  }
  throw new Error(`${MAX_KEPT_DAMAGED} damaged files are kept already (${base}, ${base}.1 ...): look into them and remove them`);
}

/** The restore was asked to stop (RestoreOptions.signal): logged; the signal's reason is thrown. */
function stoppedWhile(deps: RestoreDeps, path: string, signal: AbortSignal, records: number): unknown {
  deps.log.info({ path, recordsRead: records }, 'snapshot restore stopped: the node is stopping');
  return signal.reason;
}

/** A record too large for the current limits: the node does not start (see RestoreOptions). */
class KeyOverLimit extends Error {
  constructor(path: string, bytes: number, maxKeyBytes: number) {
    super(
      keptFromStart(
        path,
        `holds a key of ${bytes} bytes, over the ${maxKeyBytes} a key may have under the current limits.max_message_bytes ` +
          '(it could be neither replicated nor handed off); raise limits.max_message_bytes',
      ).message,
    );
  }
}

/** Why the node does not start: its snapshot is there, and starting would overwrite it. */
const keptFromStart = (path: string, what: string): Error =>
  new Error(
    `snapshot ${path} ${what}; not starting, since the next snapshot would replace it: ` +
      'fix it or move it away (or set persistence.restore_on_startup: never) to start without it',
  );

const problemOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
