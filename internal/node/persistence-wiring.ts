import { ReplyMap, asciiUpper, type Reply } from '../command/index.js';
import type { Clock } from '../clock/index.js';
import type { Config } from '../config/index.js';
import { GokvError, wrongArity } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import {
  Snapshotter,
  decideRestore,
  removeStaleTemp,
  restoreSnapshot,
  type SnapshotResult,
} from '../persistence/index.js';
import type { ServedCommand } from '../server/index.js';
import { binFromText, maxKeyBytes, type Store } from '../store/index.js';

/** The node's snapshots: restored before it serves, then periodic, on request and at stop. */
export interface NodePersistence {
  /** Starts the periodic timer (persistence.persistence_interval > 0). */
  start(): void;
  /** A snapshot now, to GOKV_PERSISTENCE_PATH, even when periodic snapshots are off. */
  snapshotNow(): Promise<SnapshotResult>;
  /** Clears the timer; writes a final snapshot when periodic snapshots are on. Never throws. */
  stop(): Promise<void>;
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
  // A snapshot killed mid-write left its temporary file: it is never restored, only in the way.
  try {
    if (await removeStaleTemp(path)) log.info({ path }, 'stale snapshot temporary file removed');
  } catch (err) {
    log.warn({ path, problem: err instanceof Error ? err.message : String(err) }, 'stale snapshot temporary file not removed');
  }
  const decision = decideRestore(config.persistence.restoreOnStartup, {
    replicas: config.cluster.replicas,
    seeds: config.addresses.seeds.length,
  });
  if (decision.restore) {
    log.info({ path, reason: decision.reason }, 'restoring snapshot');
    await restoreSnapshot({ target: deps.store, clock: deps.clock, log }, path, {
      maxKeyBytes: maxKeyBytes(config.limits.maxMessageBytes),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
  } else {
    log.info({ path, reason: decision.reason }, 'snapshot restore skipped');
  }
  const snapshotter = new Snapshotter({ source: deps.store, clock: deps.clock, log }, { path, intervalMs });
  return {
    start: () => snapshotter.start(),
    snapshotNow: () => snapshotter.snapshotNow('command'),
    stop: async () => {
      await snapshotter.stop({ final: intervalMs > 0 });
    },
  };
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
