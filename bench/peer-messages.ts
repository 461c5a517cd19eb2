// Counts the node-to-node messages of a cluster write, for the bench hook (bench-hook.ts).
import { Duplex } from 'node:stream';

/** The two methods every cluster write crosses (gokv's and the bare cluster's). */
const PEER_PATHS: Readonly<Record<string, 'forward' | 'replicate'>> = {
  '/internalpb.InternalServer/Forward': 'forward',
  '/internalpb.InternalServer/Replicate': 'replicate',
};

export interface PeerMessageCounter {
  /** Messages written so far on client streams of each method (one per batch). */
  readonly sent: { forward: number; replicate: number };
  /** Puts Duplex's `write` back (tests). */
  restore(): void;
}

/**
 * Counts messages written on client HTTP/2 streams of Forward and Replicate: grpc-js writes each
 * message of a call with one `write` on its stream. HTTP/2 streams inherit Duplex's `write`, so
 * wrapping it before grpc-js loads sees every one; other streams pass through unchanged.
 */
export function countPeerMessages(): PeerMessageCounter {
  const sent = { forward: 0, replicate: 0 };
  const write = Duplex.prototype.write;
  Duplex.prototype.write = function (this: Duplex & { sentHeaders?: Record<string, unknown> }, ...args: Parameters<Duplex['write']>) {
    const path = this.sentHeaders?.[':path'];
    const method = typeof path === 'string' ? PEER_PATHS[path] : undefined;
    if (method !== undefined) sent[method]++;
    return write.apply(this, args);
  } as Duplex['write'];
  return {
    sent,
    restore: () => {
      Duplex.prototype.write = write;
    },
  };
}
