import type { Logger } from 'pino';
import {
  asciiUpper,
  checkLimits,
  EncodedReply,
  executeCommand,
  executeSpec,
  lookupCommand,
  routingKey,
  type ExecuteOptions,
  scanCountHint,
  scanPageKeyBytes,
  ScanReply,
  type CommandLimits,
  type CommandSpec,
  type Reply,
} from '../command/index.js';
import { GokvError, unavailable, unknownCommand, wrongArity } from '../errors/index.js';
import type { Hasher } from '../ring/index.js';
import type { Replicator } from '../replication/index.js';
import { binFromText, type BinStr, type Store } from '../store/index.js';
import { decodeReply } from '../wire/index.js';
import type { ClusterView, Forwarder, HandOffGate } from './cluster-view.js';
import { ClusterWide } from './cluster-wide.js';
import { scanPosition, scanRange } from './scan-route.js';
import { splitArray, splitPairs, startInTurns } from './split-keys.js';

/** Pages one SCAN call may gather across arcs before answering with what it has. */
const SCAN_MAX_PAGES = 32;
/**
 * Keys one SCAN call gathers at most, whatever COUNT asks: a page looks at no more than the
 * store's scanMaxExamine (100,000) keys, and so does a whole call. `SCAN 0 COUNT 100000000` over
 * 1M keys answered all of them in one reply, holding the event loop for 1.2 s.
 */
const SCAN_MAX_GATHER = 100_000;
/** KEYS walks the ring in SCAN pages of this many keys (a hint). */
const KEYS_PAGE = '1000';

/** Resolves on the event loop's next turn: KEYS lets other clients' commands run between its pages. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const isKeys = (name: string): boolean => name.length === 4 && asciiUpper(name) === 'KEYS';

export interface RoutedCommand {
  readonly name: string;
  /** Binary string. */
  readonly key: string;
  readonly args: readonly string[];
}

export interface RouterOptions {
  /** Extra copies beside the leader (cluster.replicas). */
  readonly replicas: number;
  /** How many times a command may be forwarded (cluster.hop_limit). */
  readonly hopLimit: number;
  /** limits.max_args, limits.max_value_bytes, and limits.max_message_bytes as maxReplyBytes. */
  readonly limits: CommandLimits;
  /** How long one forwarded FLUSHALL part runs before it answers a cursor (cluster-wide.ts). */
  readonly clusterWidePartMs?: number;
}

/**
 * Runs every command where it belongs: on this node when it leads the key in the current view
 * (then replicates the write), else on the leader through the Forwarder. Only a transport
 * failure makes a read go to the next replica; a command error comes back unchanged and says
 * nothing about any node's health. A write is never applied by a node that does not lead its key.
 */
export class Router {
  private readonly clusterWide: ClusterWide;
  /** For executeSpec: execute() has checked these limits before any command runs here. */
  private readonly checked: ExecuteOptions;
  /** The same, for a replicated write whose room was made before its prior version was read. */
  private readonly roomMade: ExecuteOptions;
  private readonly noRoom: ExecuteOptions;

  constructor(
    private readonly deps: {
      store: Store;
      hasher: Hasher;
      view: () => ClusterView;
      forwarder: Forwarder;
      replicator: Replicator;
      log: Logger;
      /** Pull-on-miss and moved keys during a hand-off; absent on a lone node. */
      gate?: HandOffGate;
    },
    private readonly options: RouterOptions,
  ) {
    this.clusterWide = new ClusterWide({ store: deps.store, view: deps.view, forwarder: deps.forwarder, partBudgetMs: options.clusterWidePartMs });
    this.checked = { limits: options.limits };
    this.roomMade = { ...this.checked, room: true };
    this.noRoom = { ...this.checked, room: false };
  }

  execute(command: RoutedCommand, hops = 0, replicaRead = false): Reply | Promise<Reply> {
    const spec = lookupCommand(command.name);
    if (!spec) {
      if (hops === 0 && isKeys(command.name)) return this.keys(command);
      // DBSIZE and FLUSHALL are not table commands: they reach every member (cluster-wide.ts).
      const wide = this.clusterWide.handle(command, hops);
      if (wide !== undefined) return wide;
      throw unknownCommand(command.name);
    }
    // Before any split or hop: a multi-key DEL with one key over the limit is refused whole,
    // never partly applied (found by the fuzz test).
    checkLimits(command, this.options.limits);
    if (spec.flags.keyless) return this.local(spec, command);
    // OBJECT ENCODING key: routed by the key after the subcommand; HELP and errors answer here.
    const key = spec.subcommands === undefined ? command.key : routingKey(spec, command);
    if (key === '' && spec.subcommands !== undefined) return this.local(spec, command);
    if (!this.deps.view().joined()) throw unavailable('this node is still joining the cluster; retry');
    if (spec.flags.scan) return this.scan(spec, command, hops, replicaRead);
    if (spec.flags.multiKey && command.args.length > 0 && command.key !== '') {
      return this.splitKeys(command, hops);
    }
    if (command.key !== '' && command.args.length > 0) {
      // MGET and MSET of several keys: one part per key, each to its own leader (split-keys.ts).
      // As for DEL (splitKeys): empty keys are refused before any part runs, and a part that
      // throws at once is a rejection the others are awaited with, never an orphaned forward.
      const part = async (c: RoutedCommand) => this.execute(c, hops);
      const all = [command.key, ...command.args];
      if (spec.flags.multiKeyArray) {
        if (all.includes('')) throw wrongArity(command.name);
        return splitArray(command, part);
      }
      if (spec.flags.multiKeyPairs && command.args.length > 1 && command.args.length % 2 === 1) {
        if (all.some((k, i) => i % 2 === 0 && k === '')) throw wrongArity(command.name);
        return splitPairs(command, part);
      }
    }
    if (command.key === '') return this.local(spec, command); // the command reports the arity error
    return this.route(spec, command, hops, replicaRead, key);
  }

  /** `key` is the key the command acts on (routingKey): `command.key` but for container commands. */
  private route(spec: CommandSpec, command: RoutedCommand, hops: number, replicaRead: boolean, key: string): Reply | Promise<Reply> {
    const view = this.deps.view();
    const position = this.deps.hasher.keyPosition(key);
    const owners = view.ring.owners(position, 1 + this.options.replicas);
    const leader = owners[0];
    const gate = this.deps.gate;
    if (leader === undefined || leader === view.selfId) {
      if (gate !== undefined && leader !== undefined) {
        // A new owner pulled this key from here: it leads in a newer view than ours.
        const moved = gate.movedTo(key);
        if (moved !== undefined && moved !== view.selfId) return this.forwardOrFail(spec, command, hops, moved, owners, view);
        const pulling = gate.ready(key, position);
        if (pulling !== undefined) return pulling.then(() => this.route(spec, command, hops, replicaRead, key));
      }
      return this.local(spec, command, owners, view);
    }
    if (replicaRead && !spec.flags.write && owners.includes(view.selfId)) {
      const pulling = gate?.ready(key, position);
      // Routed again once pulled: the ring may have moved on meanwhile (a pull answered after
      // this node stopped owning the key merges nothing here).
      if (pulling !== undefined) return pulling.then(() => this.route(spec, command, hops, replicaRead, key));
      return this.local(spec, command);
    }
    return this.forwardOrFail(spec, command, hops, leader, owners, view);
  }

  /**
   * Forwards to `target` (the leader, or where the key moved). On a transport failure a write
   * fails (UNAVAILABLE, or UNCERTAIN when it may have been applied) and a read goes to the
   * next replicas.
   */
  private forwardOrFail(
    spec: CommandSpec,
    command: RoutedCommand,
    hops: number,
    target: string,
    owners: readonly string[],
    view: ClusterView,
  ): Promise<Reply> {
    if (hops >= this.options.hopLimit) {
      throw unavailable(`no agreement on the leader of this key after ${hops} hops; retry`);
    }
    // One promise layer, not an async function plus a catch: this runs for most commands of a cluster.
    return this.deps.forwarder.forward(target, forwardRequest(command, hops, false)).then(encodedReply, (err: unknown) => {
      if (!isTransport(err)) throw err;
      if (spec.flags.write) {
        if (err.maybeApplied) {
          throw new GokvError('UNCERTAIN', `ERR leader ${target} did not answer: the write may or may not be applied`);
        }
        throw unavailable(`leader ${target} unreachable; retry`);
      }
      return this.readFromReplicas(spec, command, owners.filter((id) => id !== target), hops, view);
    });
  }

  private async readFromReplicas(
    spec: CommandSpec,
    command: RoutedCommand,
    replicas: readonly string[],
    hops: number,
    view: ClusterView,
  ): Promise<Reply> {
    for (const replica of replicas) {
      if (replica === view.selfId) return this.local(spec, command);
      try {
        return await this.forwardTo(replica, command, hops, true);
      } catch (err) {
        if (!isTransport(err)) throw err;
      }
    }
    throw unavailable('no owner of this key is reachable; retry');
  }

  private forwardTo(memberId: string, command: RoutedCommand, hops: number, replicaRead = false): Promise<Reply> {
    return this.deps.forwarder.forward(memberId, forwardRequest(command, hops, replicaRead)).then(encodedReply);
  }

  /**
   * Executes here; a write is stamped, applied, then shipped to the key's replicas in order.
   * Every caller comes from execute(), which has looked `spec` up and checked the limits.
   */
  private local(
    spec: CommandSpec,
    command: RoutedCommand,
    owners?: readonly string[],
    view?: ClusterView,
  ): Reply | Promise<Reply> {
    const store = this.deps.store;
    if (!spec.flags.write || owners === undefined || view === undefined) {
      return executeSpec(store, spec, command, this.checked).reply;
    }
    // Asked once: a refusal may be a one-off (the last of a rejoin's wait), gone when asked again.
    const refusal = view.writeRefusal ? view.writeRefusal() : view.writable() ? undefined : 'this node was paused and is refreshing its view of the cluster; retry';
    if (refusal !== undefined) throw unavailable(refusal);
    if (owners.length < 2) return executeSpec(store, spec, command, this.checked).reply;
    const replicas = owners.slice(1);
    let required = 0;
    for (const id of replicas) if (view.statusOf(id) === 'alive') required++;
    // Refused before it is applied: a replica that is alive but slow would otherwise buffer
    // this write (and every one after it) without bound. A suspect one is out of the count
    // and will be dropped if it dies. In async mode, also when no replica has acknowledged
    // anything for message_timeout: the write would stand on this node alone (a partition).
    const lagging =
      this.deps.replicator.behind(required === replicas.length ? replicas : replicas.filter((id) => view.statusOf(id) === 'alive')) ??
      this.deps.replicator.unacknowledged(replicas);
    if (lagging !== undefined) throw unavailable(lagging);
    // Read and applied at one instant: the key cannot expire between the two, or replicas
    // would apply the write to a version the command did not see. Room is made before the
    // read for the same reason: the write may evict its own key.
    let prevVersion = 0;
    const { reply, effect } = store.atOneInstant(() => {
      const options = spec.flags.denyOom ? (store.evictToLimit() ? this.roomMade : this.noRoom) : this.checked;
      prevVersion = store.versionOf(command.key);
      return executeSpec(store, spec, command, options);
    });
    if (required === 0) required = 1; // never a silent ack of a single copy
    // A write that changed nothing still answers from state that may not be on the replicas yet.
    if (!effect) return this.deps.replicator.confirm(command.key, replicas, required, reply) ?? reply;
    return this.deps.replicator.replicate({ ...effect, prevVersion }, replicas, required, reply) ?? reply;
  }

  /**
   * The store evicted `key` at `version` (its onRemoved hook). If this node leads the key, its
   * replicas drop their copies too, as Redis's replicas get a DEL: otherwise a later DEL here
   * finds nothing, replicates nothing, and the old value comes back after a failover. A replica
   * evicting its own copy sends nothing. Runs inside the eviction: it must not touch the store.
   */
  evicted(key: BinStr, version: number): void {
    if (this.options.replicas <= 0) return;
    const view = this.deps.view();
    const owners = view.ring.owners(this.deps.hasher.keyPosition(key), 1 + this.options.replicas);
    if (owners[0] !== view.selfId || owners.length < 2) return;
    // A key a newer owner pulled from here is that owner's to replicate.
    const moved = this.deps.gate?.movedTo(key);
    if (moved !== undefined && moved !== view.selfId) return;
    this.deps.replicator.evicted(key, version, owners.slice(1));
  }

  /**
   * SCAN: at the entry node, gathers pages across arcs (each page from the leader of its
   * cursor's position) until the count hint (at most SCAN_MAX_GATHER) is met, the ring is done,
   * or SCAN_MAX_PAGES, with a turn of the event loop between pages.
   */
  private scan(spec: CommandSpec, command: RoutedCommand, hops: number, replicaRead = false): Reply | Promise<Reply> {
    if (scanPosition(command.key) === undefined) return this.local(spec, command); // reports the bad cursor
    if (hops > 0) return this.scanPage(command, hops, replicaRead);
    return this.scanGather(command);
  }

  private async scanGather(command: RoutedCommand): Promise<Reply> {
    const want = Math.min(scanCountHint(command.args), SCAN_MAX_GATHER);
    // Pages of long keys add up: two pages' worth of key bytes ends the gathering, as COUNT does.
    const maxKeyBytes = 2 * scanPageKeyBytes(this.options.limits.maxReplyBytes ?? 0);
    const keys: string[] = [];
    let keyBytes = 0;
    let cursor = command.key;
    for (let page = 0; page < SCAN_MAX_PAGES; page++) {
      const reply = toScanReply(await this.scanPage({ ...command, key: cursor }, 0));
      for (const k of reply.keys) {
        keys.push(k);
        keyBytes += k.length;
      }
      cursor = reply.cursor;
      if (cursor === '0' || keys.length >= want || (maxKeyBytes > 0 && keyBytes >= maxKeyBytes)) break;
      // A local page is answered at once: between pages, other clients' commands run (as KEYS's).
      await nextTurn();
    }
    return new ScanReply(cursor, keys);
  }

  /**
   * KEYS pattern: every SCAN page of the ring, to the end, deduplicated (a page may repeat a key
   * while arcs move). Each page is bounded work on its leader, awaited in turn, so the event loop
   * never carries the whole keyspace in one tick; the reply holds every match, as Redis's does.
   */
  private async keys(command: RoutedCommand): Promise<Reply> {
    if (command.key === '' || command.args.length > 0) throw wrongArity('keys');
    if (!this.deps.view().joined()) throw unavailable('this node is still joining the cluster; retry');
    const found = new Set<string>();
    let cursor = '0';
    do {
      const page = toScanReply(await this.scanPage({ name: 'SCAN', key: cursor, args: ['MATCH', command.key, 'COUNT', KEYS_PAGE] }, 0));
      for (const k of page.keys) found.add(k);
      // Cursors are ring positions and only grow; one that did not would never reach the end.
      if (page.cursor !== '0' && Number(page.cursor) <= Number(cursor)) throw unavailable('KEYS lost its place in the ring; retry');
      cursor = page.cursor;
      // A local page is answered at once, and awaiting it alone yields to no other client: over
      // 300k keys KEYS held the loop for half a second, and pipelined ones for minutes.
      if (cursor !== '0') await nextTurn();
    } while (cursor !== '0');
    return [...found];
  }

  /**
   * One page, from the leader of the cursor's position, over that leader's arc. A leader that
   * cannot be reached is replaced by the arc's replicas in turn, as a read is (`replicaRead`: a
   * replica asked so serves the arc from its copies). Before, every page on a dead leader's arc
   * failed until it was declared dead (6 s), and `redis-cli --scan` and ioredis's scanStream
   * gave up part way.
   */
  private async scanPage(command: RoutedCommand, hops: number, replicaRead = false): Promise<Reply> {
    const view = this.deps.view();
    const position = scanPosition(command.key)!;
    const leader = view.ring.leader(position);
    const servesHere = leader === view.selfId || (replicaRead && view.ring.owners(position, 1 + this.options.replicas).includes(view.selfId));
    if (leader !== undefined && !servesHere) {
      if (hops >= this.options.hopLimit) throw unavailable('SCAN could not reach the owner of its cursor; retry');
      try {
        return await this.forwardTo(leader, command, hops);
      } catch (err) {
        if (!isTransport(err)) throw err;
      }
      for (const replica of view.ring.owners(position, 1 + this.options.replicas).slice(1)) {
        if (replica === view.selfId) return this.scanPage(command, hops, true);
        if (view.statusOf(replica) === 'dead') continue;
        try {
          return await this.forwardTo(replica, command, hops, true);
        } catch (err) {
          if (!isTransport(err)) throw err;
        }
      }
      // Named by member, as a routed command's failure is: not the transport's own words.
      throw unavailable(`SCAN could not reach ${leader}, the leader of its cursor, nor a replica; retry`);
    }
    const range = scanRange(view.ring, position);
    // Keys of arcs still arriving: asked of their previous owners first (see HandOffGate).
    const remote = await this.deps.gate?.scanRemote(range.from, range.to, command.args);
    const to = remote === undefined ? range.to : Math.min(range.to, remote.next);
    const local = executeCommand(this.deps.store, command, {
      limits: this.options.limits,
      scanRange: { from: range.from, to },
    }).reply;
    if (remote === undefined || !(local instanceof ScanReply)) return local;
    const end = local.cursor === '0' ? to : Number(local.cursor);
    const seen = new Set(local.keys);
    const keys = local.keys.slice();
    for (const k of remote.keys) {
      if (!seen.has(k) && this.deps.hasher.keyPosition(k) < end) {
        seen.add(k);
        keys.push(k);
      }
    }
    return new ScanReply(local.cursor, keys);
  }

  /**
   * DEL/EXISTS with several keys: one command per key, each to its own leader, replies summed.
   * An empty key is refused before any part runs; a part that throws at once becomes a
   * rejection, so the parts already sent are still awaited (found by the fuzz test: `DEL a ""`
   * left a's forward unawaited, and its failure was an unhandled rejection, which ends a node).
   */
  private async splitKeys(command: RoutedCommand, hops: number): Promise<Reply> {
    const keys = [command.key, ...command.args];
    if (keys.includes('')) throw wrongArity(command.name);
    const replies = await startInTurns(keys, async (key) => this.execute({ name: command.name, key, args: [] }, hops));
    let total = 0;
    for (const r of replies) total += asInteger(r);
    return total;
  }
}

function isTransport(err: unknown): err is GokvError & { transport: true; maybeApplied: boolean } {
  return err instanceof GokvError && (err as { transport?: boolean }).transport === true;
}

/** A page as a ScanReply, decoding one that came back from another node. */
function toScanReply(reply: Reply): ScanReply {
  if (reply instanceof ScanReply) return reply;
  if (reply instanceof EncodedReply) {
    const decoded = decodeReply(reply.msgpack);
    if (decoded instanceof Map) {
      const cursor = decoded.get('NextCursor');
      const keys = decoded.get('Keys');
      if (Array.isArray(keys)) {
        // Keys that are valid UTF-8 travel as MessagePack str: back to their bytes, one per char.
        const bytes = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('latin1') : binFromText(String(v)));
        return new ScanReply(bytes(cursor), keys.map(bytes));
      }
    }
  }
  throw new GokvError('INTERNAL', 'INTERNAL expected a SCAN reply from a page');
}

function asInteger(reply: Reply): number {
  if (typeof reply === 'number') return reply;
  if (reply instanceof EncodedReply) {
    const decoded = decodeReply(reply.msgpack);
    if (typeof decoded === 'number') return decoded;
  }
  throw new GokvError('INTERNAL', 'INTERNAL expected an integer reply from a split command');
}

const forwardRequest = (command: RoutedCommand, hops: number, replicaRead: boolean) => ({
  name: command.name,
  key: command.key,
  args: command.args,
  hops: hops + 1,
  replicaRead,
});

const encodedReply = (bytes: Uint8Array): Reply => new EncodedReply(bytes);
