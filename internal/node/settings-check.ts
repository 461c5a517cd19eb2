/**
 * Warns when a peer runs other cluster settings (config/cluster-settings.ts): the two nodes then
 * place or copy keys differently, and acknowledged writes can be lost or read stale, silently.
 * Once a minute per peer; nothing is refused, since which side is right is the operator's call.
 */
import type { Clock } from '../clock/index.js';
import { clusterSettingsDifferences } from '../config/index.js';
import type { Logger } from '../log/index.js';

const WARN_EVERY_MS = 60_000;
/** Peers remembered at most (ids come from the network: bounded). */
const MAX_PEERS = 4096;

export class PeerSettingsCheck {
  private readonly warnedAt = new Map<string, number>();

  constructor(
    private readonly ours: string,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** A heartbeat from `peerId` carried `theirs` (undefined: an older node, not compared). */
  observe(peerId: string, theirs: string | undefined): void {
    if (theirs === undefined || theirs === this.ours) return;
    const differences = clusterSettingsDifferences(this.ours, theirs);
    if (differences.length === 0) return;
    const now = this.clock.monotonic();
    const last = this.warnedAt.get(peerId);
    if (last !== undefined && now - last < WARN_EVERY_MS) return;
    if (last === undefined && this.warnedAt.size >= MAX_PEERS) this.warnedAt.clear();
    this.warnedAt.set(peerId, now);
    this.log.warn(
      { peer: peerId.slice(0, 256), differences },
      'a peer runs other cluster settings: keys are placed or copied differently on the two nodes, and acknowledged writes can be lost; set these alike on every node',
    );
  }
}
