import { EncodedReply, type Reply, type BinStr } from '../command/index.js';
import { GokvError } from '../errors/index.js';
import { binFromBuffer } from '../store/index.js';
import { decodeReply } from '../wire/index.js';
import type { RoutedCommand } from './router.js';

/** Runs one routed command (the router's execute, with the hop count already bound). */
type Execute = (command: RoutedCommand) => Reply | Promise<Reply>;

/** Parts started per turn of the event loop. */
const PARTS_PER_TURN = 1000;

/**
 * Starts one part per item, PARTS_PER_TURN per turn of the event loop, and waits for them all.
 * Started in one turn, the parts of an MGET of 1M keys (max_args allows it) held a node's loop
 * for 14 s, and its peers declared it dead. A part that fails before the last is started is
 * marked handled at once (Promise.all reports it): an unhandled rejection would end the process.
 * `start` must not throw (wrap it in an async function).
 */
export async function startInTurns<T>(items: readonly T[], start: (item: T) => Promise<Reply>): Promise<Reply[]> {
  if (items.length <= PARTS_PER_TURN) return Promise.all(items.map(start));
  const parts: Array<Promise<Reply>> = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % PARTS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    const part = start(items[i]!);
    part.catch(() => {});
    parts.push(part);
  }
  return Promise.all(parts);
}

/**
 * MGET with several keys: one `MGET key` per key, each to its own leader, concurrently; the
 * one-element replies are joined in key order. Not atomic across keys (Redis Cluster would refuse
 * keys of different slots instead).
 */
export async function splitArray(command: RoutedCommand, execute: Execute): Promise<Reply> {
  const keys = [command.key, ...command.args];
  const replies = await startInTurns(keys, async (key) => execute({ name: command.name, key, args: [] }));
  return replies.map(firstItem);
}

/**
 * MSET with several pairs: one `MSET key value` per distinct key (the last value of a key named
 * twice wins, as in Redis), each to its own leader, concurrently. Answers OK once every part did;
 * if one part fails the others may be applied (documented: MSET is atomic per key only).
 */
export async function splitPairs(command: RoutedCommand, execute: Execute): Promise<Reply> {
  const pairs = [command.key, ...command.args];
  const values = new Map<BinStr, BinStr>();
  for (let i = 0; i + 1 < pairs.length; i += 2) values.set(pairs[i]!, pairs[i + 1]!);
  const replies = await startInTurns([...values], async ([key, value]) => execute({ name: command.name, key, args: [value] }));
  return replies[0] ?? null;
}

/** The single item of a one-key MGET reply, local (an array) or forwarded (MessagePack). */
function firstItem(reply: Reply): Reply {
  if (Array.isArray(reply)) return reply[0] ?? null;
  if (reply instanceof EncodedReply) {
    const decoded = decodeReply(reply.msgpack);
    if (Array.isArray(decoded)) {
      const item = decoded[0];
      if (item === null || item === undefined) return null;
      if (Buffer.isBuffer(item)) return binFromBuffer(item);
    }
  }
  throw new GokvError('INTERNAL', 'INTERNAL expected a one-item array from a split MGET');
}
