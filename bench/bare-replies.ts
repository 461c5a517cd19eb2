// The replies the bare servers send: fixed MessagePack replies of the shapes gokv would send
// (HSET and LPUSH an integer, HGET a one-field map, LPOP a 32 B bin), encoded once, up front.
import { ReplyMap } from '../internal/command/index.js';
import { encodeReply, type CommandReply } from '../internal/wire/index.js';
import { FIELD, VALUE } from './load-plan.js';

const REPLIES: Record<string, CommandReply> = {
  HSET: { response: encodeReply(1) },
  LPUSH: { response: encodeReply(1) },
  HGET: { response: encodeReply(new ReplyMap([[FIELD, VALUE]])) },
  LPOP: { response: encodeReply(VALUE) },
};
const OTHER: CommandReply = { response: encodeReply(null) };

export const bareReply = (command: string): CommandReply => REPLIES[command] ?? OTHER;

/** The bare cluster's leader of a key: FNV-1a of its bytes, modulo the node count. */
export function bareLeaderOf(key: Uint8Array, nodes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
  return (h >>> 0) % nodes;
}

/** The commands of the bench's scenarios that change data (gokv replicates them). */
export const isWrite = (command: string): boolean => command !== 'HGET';
