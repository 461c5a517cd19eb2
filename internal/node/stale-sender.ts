import type { Gossiper } from '../membership/index.js';
import type { ForwardOrigin } from '../server/index.js';

/**
 * Why a forwarded command from `origin` must not run here, or undefined. Its sender is held
 * dead or left, or is known at a higher incarnation (it refuted a verdict or restarted since):
 * the command was delayed past that membership change (stuck in TCP across a partition, say)
 * and its sender answered its client long ago with UNCERTAIN; run now, it could overwrite
 * writes acknowledged meanwhile. A sender this node does not know is not judged.
 */
export function staleSender(gossiper: Pick<Gossiper, 'member'> | undefined, origin: ForwardOrigin): string | undefined {
  const m = gossiper?.member(origin.nodeId);
  if (m === undefined) return undefined;
  if (m.status === 'dead' || m.status === 'left') return `forwarded by ${origin.nodeId}, which this node holds ${m.status}: refused; retry`;
  if (m.incarnation > origin.incarnation) return `forwarded by an older incarnation of ${origin.nodeId}: refused; retry`;
  return undefined;
}
