// persistence/ owns the snapshot file: its format (versioned header, CRC-checked frames, end
// frame), the atomic chunked writer, the reader, restore into the store and the snapshot
// schedule. Layer L1: it does file I/O and may import store/, clock/, log/, config/ types and
// errors/; never peer/, router/, server/ or node/, and no sockets.
export { EMPTY_SNAPSHOT_BYTES, FORMAT_VERSION, SnapshotFormatError, type SnapshotHeader, type SnapshotTrailer } from './snapshot-format.js';
export type { SnapshotRecord } from './record-codec.js';
export { NotRegularFileError, checkSnapshotPath, readSnapshot, type ChunkVisitor, type SnapshotSummary } from './snapshot-reader.js';
export {
  DEFAULT_WRITE_OPTIONS,
  removeStaleTemp,
  tempPathOf,
  writeSnapshot,
  type SnapshotResult,
  type SnapshotSource,
  type SnapshotWriteOptions,
} from './snapshot-writer.js';
export {
  restoreSnapshot,
  type RestoreDeps,
  type RestoreOptions,
  type RestoreOutcome,
  type RestoreReport,
  type RestoreTarget,
} from './restore.js';
export { decideRestore, type RestoreContext, type RestoreDecision } from './restore-policy.js';
export { PathInUseError, lockPathOf } from './path-lock.js';
export { Snapshotter, type SnapshotStatus, type SnapshotterDeps, type SnapshotterOptions } from './snapshotter.js';
