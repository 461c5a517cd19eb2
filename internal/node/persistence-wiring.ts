import { access, rename, stat } from 'node:fs/promises';
import { ReplyMap, asciiUpper, type Reply } from '../command/index.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import { GokvError, wrongArity } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import {
  EMPTY_SNAPSHOT_BYTES,
  NotRegularFileError,
  PathInUseError,
  Snapshotter,
  checkSnapshotPath,
  decideRestore,
  removeStaleTemp,
  restoreSnapshot,
  tempPathOf,
  type SnapshotResult,
  type SnapshotStatus,
} from '../persistence/index.js';
import type { ServedCommand } from '../server/index.js';
import { binFromText, maxKeyBytes, type Store } from '../store/index.js';

/** The node's snapshots: restored before it serves, then periodic, on request and at stop. */
export interface NodePersistence {
  /** Starts the periodic timer (persistence.persistence_interval > 0). */
  start(): void;
  /** A snapshot now, to GOKV_PERSISTENCE_PATH, even when periodic snapshots are off. */
  snapshotNow(): Promise<SnapshotResult>;
  /** For INFO persistence and the metrics. */
  status(): SnapshotStatus;
  /**
   * Clears the timer; writes a final snapshot when periodic snapshots are on. Never throws:
   * resolves with the final snapshot's error if it failed (the node then exits non-zero).
   */
  stop(): Promise<Error | undefined>;
  /** For a start that failed: no final snapshot, the path's lock released. */
  release(): Promise<void>;
}

/**
 * Restores the snapshot as `persistence.restore_on_startup` says (call it before any server
 * serves), and prepares the snapshotter; rejects with `signal`'s reason once it is aborted
 * during the restore. Restored keys this node does not own are in the local
 * store only: the rebalance hand-off moves them to their owners like any other misplaced key.
 */
export async function preparePersistence(
  config: Config,
  deps: { store: Store; clock: Clock; log: Logger; signal?: AbortSignal | undefined },
): Promise<NodePersistence> {
  const log = deps.log.child({ component: 'persistence' });
  const path = config.node.persistencePath;
  const intervalMs = config.persistence.persistenceIntervalMs;
  // Not a device or a FIFO (each snapshot would fail, or replace /dev/null as root). A path that
  // cannot be checked (a file where a directory should be) fails each snapshot, logged and answered.
  const present = await checkSnapshotPath(path).catch((err: unknown) => {
    if (err instanceof NotRegularFileError) throw new Error(`snapshot path ${err.message}: give GOKV_PERSISTENCE_PATH a file name`);
    return false;
  });
  const snapshotter = new Snapshotter({ source: deps.store, clock: deps.clock, log }, { path, intervalMs });
  // A node that will write snapshots, or has one (or half of one), claims the path before it
  // reads it: a second node given the same path does not start (others claim it at their first
  // snapshot).
  if (intervalMs > 0 || present || (await exists(tempPathOf(path)))) {
    try {
      await snapshotter.claimPath();
      // A snapshot killed mid-write left its temporary file: it is never restored, only in the way.
      if (await removeStaleTemp(path)) log.info({ path }, 'stale snapshot temporary file removed');
    } catch (err) {
      if (err instanceof PathInUseError) throw err;
      log.warn({ path, problem: err instanceof Error ? err.message : String(err) }, 'snapshot path not claimed: snapshots will fail until this is fixed');
    }
  }
  const decision = decideRestore(config.persistence.restoreOnStartup, {
    replicas: config.cluster.replicas,
    seeds: config.addresses.seeds.length,
  });
  try {
    if (decision.restore) {
      log.info({ path, reason: decision.reason }, 'restoring snapshot');
      await restoreSnapshot({ target: deps.store, clock: deps.clock, log }, path, {
        maxKeyBytes: maxKeyBytes(config.limits.maxMessageBytes),
        ...(deps.signal ? { signal: deps.signal } : {}),
      });
    } else {
      const keptAs = present ? await keepSkippedFile(path) : undefined;
      if (keptAs === undefined) log.info({ path, reason: decision.reason }, 'snapshot restore skipped');
      // The next snapshot would replace it: after a whole-cluster restart it may be the only copy.
      else log.warn({ path, reason: decision.reason, keptAs }, 'snapshot restore skipped: the file is kept aside; to restart a whole cluster from it, move it back and set persistence.restore_on_startup: always');
    }
  } catch (err) {
    await snapshotter.stop({ final: false }); // the start ends here: the path is free again
    throw err;
  }
  return {
    start: () => snapshotter.start(),
    snapshotNow: () => snapshotter.snapshotNow('command'),
    status: () => snapshotter.status(),
    release: async () => {
      await snapshotter.stop({ final: false });
    },
    stop: async () => {
      try {
        await snapshotter.stop({ final: intervalMs > 0 });
        return undefined;
      } catch (err) {
        return new Error(`the final snapshot to ${path} failed (${err instanceof Error ? err.message : String(err)}): writes since the previous snapshot are not on disk`);
      }
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Snapshots not restored kept beside the path: `.skipped` (newest), `.skipped.1`, `.skipped.2`. */
const KEPT_SKIPPED = 3;

/**
 * Renames a snapshot that is not restored to `<path>.skipped`, the earlier ones moving to
 * `.skipped.1` and `.skipped.2` (the oldest is dropped), so this node's next snapshot does not
 * overwrite it. One with no record is left to be replaced: found by a review, a node restarted
 * twice after a whole-cluster stop put its empty snapshot in place of the only copy. Resolves
 * with the name it kept the file as, or undefined (no file, or an empty one).
 */
async function keepSkippedFile(path: string): Promise<string | undefined> {
  const keptAs = `${path}.skipped`;
  try {
    if ((await stat(path)).size <= EMPTY_SNAPSHOT_BYTES) return undefined;
    for (let i = KEPT_SKIPPED - 1; i > 0; i--) {
      await rename(i === 1 ? keptAs : `${keptAs}.${i - 1}`, `${keptAs}.${i}`).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    await rename(path, keptAs);
    return keptAs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`snapshot ${path} is not restored and cannot be kept aside as ${keptAs} (${err instanceof Error ? err.message : String(err)}); not starting, since the next snapshot would replace it`);
  }
}

/**
 * Wraps the client command path with the keyless admin command `SNAPSHOT`, answered by this node
 * itself (never forwarded): `{path, bytes, keys, durationMs}` once the file is renamed in place.
 */
export function withSnapshotCommand(
  persistence: Pick<NodePersistence, 'snapshotNow'>,
  execute: (command: ServedCommand) => Reply | Promise<Reply>,
): (command: ServedCommand) => Reply | Promise<Reply> {
  return (command) => {
    // ASCII case only, as the command table folds names (Unicode folding reads 'ſnapshot' as SNAPSHOT).
    if (command.name.length !== 8 || asciiUpper(command.name) !== 'SNAPSHOT') return execute(command);
    if (command.key !== '' || command.args.length > 0) throw wrongArity('snapshot');
    return persistence.snapshotNow().then(snapshotReply, (err: unknown) => {
      throw new GokvError('ERR', `ERR snapshot failed: ${err instanceof Error ? err.message : String(err)}`);
    });
  };
}

function snapshotReply(result: SnapshotResult): Reply {
  return new ReplyMap([
    ['path', binFromText(result.path)],
    ['bytes', result.bytes],
    ['keys', result.keys],
    ['durationMs', Math.round(result.durationMs)],
  ]);
}
