import type { Logger } from 'pino';
import type { BinStr } from '../command/index.js';
import { GokvError } from '../errors/index.js';
import { ReplicaLink } from './replica-link.js';
import type { KeyStateMessage, ReplicaTransport, ReplicatedWrite } from './types.js';

export interface ReplicatorOptions {
  /** sync: the client's reply waits for replica acks; async: it does not (replication.mode). */
  readonly mode: 'sync' | 'async';
  /** How long a sync write waits for acks (messaging.message_timeout). */
  readonly timeoutMs: number;
  readonly maxBatch: number;
}

/**
 * Ships a leader's writes to the key's replicas, one ordered link per replica. In sync mode
 * `replicate` resolves once `required` replicas applied the write and rejects with UNCERTAIN
 * when they do not within the timeout: the write is applied here and may be on replicas, so
 * the client must not take it as either done or undone.
 */
export class Replicator {
  private readonly links = new Map<string, ReplicaLink>();

  constructor(
    private readonly deps: {
      selfId: string;
      transport: ReplicaTransport;
      exportState: (key: BinStr) => KeyStateMessage;
      log: Logger;
    },
    private readonly options: ReplicatorOptions,
  ) {}

  replicate(write: ReplicatedWrite, replicaIds: readonly string[], required: number): Promise<void> | undefined {
    if (replicaIds.length === 0) return undefined;
    if (this.options.mode === 'async' || required <= 0) {
      for (const id of replicaIds) this.link(id).sendAsync(write);
      return undefined;
    }
    const need = Math.min(required, replicaIds.length);
    return new Promise<void>((resolve, reject) => {
      let acked = 0;
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(
          new GokvError(
            'UNCERTAIN',
            `ERR write applied on the leader but confirmed by ${acked} of ${need} replicas within ${this.options.timeoutMs} ms: it may or may not persist`,
          ),
        );
      }, this.options.timeoutMs);
      for (const id of replicaIds) {
        void this.link(id)
          .send(write)
          .then(() => {
            if (settled || ++acked < need) return;
            settled = true;
            clearTimeout(timer);
            resolve();
          });
      }
    });
  }

  /** Writes queued or unacknowledged per replica (for status and metrics). */
  lag(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [id, link] of this.links) out.set(id, link.pending);
    return out;
  }

  /** Closes the link to a member that is dead, left or no longer a replica of anything. */
  drop(replicaId: string): void {
    this.links.get(replicaId)?.close();
    this.links.delete(replicaId);
  }

  close(): void {
    for (const link of this.links.values()) link.close();
    this.links.clear();
  }

  private link(replicaId: string): ReplicaLink {
    let link = this.links.get(replicaId);
    if (!link) {
      link = new ReplicaLink(
        replicaId,
        {
          leaderId: this.deps.selfId,
          transport: this.deps.transport,
          exportState: this.deps.exportState,
          log: this.deps.log,
        },
        this.options.maxBatch,
      );
      this.links.set(replicaId, link);
    }
    return link;
  }
}
