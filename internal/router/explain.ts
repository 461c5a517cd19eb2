import { EncodedReply, ReplyMap, Simple, asciiUpper, type Reply } from '../command/index.js';
import { isGokvError, wrongArity } from '../errors/index.js';
import type { Hasher } from '../ring/index.js';
import type { Store } from '../store/index.js';
import { decodeReply } from '../wire/index.js';
import type { ClusterView } from './cluster-view.js';
import type { RoutedCommand } from './router.js';

/** The admin command that says where a key lives; never part of the store's command table. */
export const EXPLAIN = 'EXPLAIN';

/** In any ASCII case, as the command table folds names (Unicode folding reads 'explaın' as EXPLAIN). */
export function isExplain(name: string): boolean {
  return name.length === EXPLAIN.length && asciiUpper(name) === EXPLAIN;
}

export interface ExplainDeps {
  readonly hasher: Hasher;
  readonly view: () => ClusterView;
  readonly store: Store;
  /**
   * Runs a command through the router. EXPLAIN asks TYPE and PTTL this way, so they are
   * answered by the key's leader (or a replica while the leader is unreachable), as any read.
   */
  readonly execute: (command: RoutedCommand) => Reply | Promise<Reply>;
}

/**
 * `EXPLAIN key`: where a key lives in this node's view and what it is, never its value. The
 * reply is a map: `key`, `position` (on the ring), `ringVersion`, `node` (the answering node),
 * `leader` (nil on an empty ring), `replicas`, `statuses` (member id -> status, for the
 * owners), `type` (hash, list, string or none), `ttlMs` (-2 missing, -1 no expiry, else ms left),
 * `role` of the answering node (leader, replica or none), `holdsCopy` (1 when this node's store
 * has the key now, whatever its role), and `error` when the leader could not be asked (type and
 * ttlMs are nil then: placement alone still answers).
 */
export class Explainer {
  constructor(
    private readonly deps: ExplainDeps,
    private readonly options: { readonly replicas: number },
  ) {}

  async explain(command: RoutedCommand): Promise<Reply> {
    if (command.key === '' || command.args.length > 0) throw wrongArity(EXPLAIN);
    const { key } = command;
    const view = this.deps.view();
    const position = this.deps.hasher.keyPosition(key);
    const owners = view.ring.owners(position, 1 + this.options.replicas);
    const rank = owners.indexOf(view.selfId);
    const [type, ttl] = await Promise.allSettled([this.ask('TYPE', key), this.ask('PTTL', key)]);
    const failure = [type, ttl].find((r) => r.status === 'rejected');
    const entries: Array<[string, Reply]> = [
      ['key', key],
      ['position', position],
      ['ringVersion', view.ring.version],
      ['node', new Simple(view.selfId)],
      ['leader', owners[0] === undefined ? null : new Simple(owners[0])],
      ['replicas', owners.slice(1).map((id) => new Simple(id))],
      ['statuses', new ReplyMap(owners.map((id) => [id, new Simple(view.statusOf(id) ?? 'unknown')] as const))],
      ['type', type.status === 'fulfilled' ? type.value : null],
      ['ttlMs', ttl.status === 'fulfilled' ? ttl.value : null],
      ['role', new Simple(rank === 0 ? 'leader' : rank > 0 ? 'replica' : 'none')],
      ['holdsCopy', this.deps.store.peek(key) === undefined ? 0 : 1],
    ];
    if (failure?.status === 'rejected') entries.push(['error', new Simple(messageOf(failure.reason))]);
    return new ReplyMap(entries);
  }

  /** One read through the router, as a plain value (a forwarded reply is decoded). */
  private async ask(name: 'TYPE' | 'PTTL', key: string): Promise<Reply> {
    const reply = await this.deps.execute({ name, key, args: [] });
    if (reply instanceof EncodedReply) {
      const d = decodeReply(reply.msgpack);
      return typeof d === 'string' ? new Simple(d) : typeof d === 'number' || typeof d === 'bigint' ? d : null;
    }
    return reply;
  }
}

function messageOf(err: unknown): string {
  return isGokvError(err) ? err.message : 'ERR could not ask the leader';
}
