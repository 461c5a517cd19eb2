import { Buffer } from 'node:buffer';
import type { BinStr } from '../store/index.js';
import {
  DOUBLE_FIELD_SIZE,
  LEN,
  ProtoReader,
  ProtoWriter,
  VARINT,
  binFieldsSize,
  lenFieldSize,
  lenFieldsSize,
  textFieldSize,
  varintSize,
} from './proto-io.js';

// internalpb.ForwardBatch and ForwardReplyBatch, read and written by hand: a forwarded command's
// key and arguments go from the entry node's strings straight into the message and out of it
// into the leader's, where proto-loader's codec made a Buffer of each on one side and a Buffer
// view on the other. The bytes are the proto's (tests check both ways against proto-loader).

export interface ForwardedCommandMessage {
  readonly id: number;
  readonly name: string;
  readonly key: BinStr;
  readonly args: readonly BinStr[];
  readonly hops: number;
  readonly replicaRead: boolean;
}

export interface ForwardBatchMessage {
  readonly commands: readonly ForwardedCommandMessage[];
  /** The sender and its incarnation (see the proto); '' when not given. */
  readonly fromNodeId: string;
  readonly fromIncarnation: number;
}

/** A reply: the MessagePack `response`, or `error` with its GokvError code. */
export interface ForwardReplyMessage {
  readonly id: number;
  readonly response?: Uint8Array;
  readonly error?: string;
  readonly errorCode?: string;
}

export interface ForwardReplyBatchMessage {
  readonly replies: readonly ForwardReplyMessage[];
}

const EMPTY = Buffer.alloc(0);

function commandSize(c: ForwardedCommandMessage): number {
  const hops = 1 + varintSize(c.hops);
  const size = DOUBLE_FIELD_SIZE + textFieldSize(c.name) + lenFieldSize(c.key.length) + binFieldsSize(c.args) + hops;
  return c.replicaRead ? size + 2 : size;
}

/** Bytes one command takes in an encoded ForwardBatch (so a sender can keep batches under a limit). */
export const forwardedCommandBytes = (c: ForwardedCommandMessage): number => lenFieldSize(commandSize(c));

export function encodeForwardBatch(m: ForwardBatchMessage): Buffer {
  const sizes = m.commands.map(commandSize);
  const w = new ProtoWriter(Buffer.allocUnsafe(lenFieldsSize(sizes) + textFieldSize(m.fromNodeId) + DOUBLE_FIELD_SIZE));
  for (let i = 0; i < sizes.length; i++) {
    const c = m.commands[i]!;
    w.message(1, sizes[i]!);
    w.double(1, c.id);
    w.text(2, c.name);
    w.bin(3, c.key);
    for (const a of c.args) w.bin(4, a);
    w.tag(5, VARINT);
    w.varint(c.hops);
    if (c.replicaRead) w.bool(6, true);
  }
  w.text(2, m.fromNodeId);
  w.double(3, m.fromIncarnation);
  return w.buf;
}

function decodeCommand(r: ProtoReader): ForwardedCommandMessage {
  let id = 0;
  let name = '';
  let key = '';
  const args: BinStr[] = [];
  let hops = 0;
  let replicaRead = false;
  while (r.nextField()) {
    const { field, wireType } = r;
    if (field === 1) id = r.doubleOr(id);
    else if (field === 2 && wireType === LEN) name = r.text();
    else if (field === 3 && wireType === LEN) key = r.bin();
    else if (field === 4 && wireType === LEN) args.push(r.bin());
    else if (field === 5 && wireType === VARINT) hops = r.varint() >>> 0;
    else if (field === 6 && wireType === VARINT) replicaRead = r.varint() !== 0;
    else r.skip(wireType);
  }
  return { id, name, key, args, hops, replicaRead };
}

/** Decodes a ForwardBatch. Throws a RangeError on malformed bytes (grpc-js answers INTERNAL). */
export function decodeForwardBatch(buf: Buffer): ForwardBatchMessage {
  const r = new ProtoReader(buf);
  const commands: ForwardedCommandMessage[] = [];
  let fromNodeId = '';
  let fromIncarnation = 0;
  while (r.nextField()) {
    if (r.field === 1 && r.wireType === LEN) commands.push(decodeCommand(r.message()));
    else if (r.field === 2 && r.wireType === LEN) fromNodeId = r.text();
    else if (r.field === 3) fromIncarnation = r.doubleOr(fromIncarnation);
    else r.skip(r.wireType);
  }
  return { commands, fromNodeId, fromIncarnation };
}

function replySize(m: ForwardReplyMessage): number {
  let size = DOUBLE_FIELD_SIZE;
  if (m.response && m.response.length > 0) size += lenFieldSize(m.response.length);
  if (m.error) size += textFieldSize(m.error);
  if (m.errorCode) size += textFieldSize(m.errorCode);
  return size;
}

export function encodeForwardReplyBatch(m: ForwardReplyBatchMessage): Buffer {
  const sizes = m.replies.map(replySize);
  const w = new ProtoWriter(Buffer.allocUnsafe(lenFieldsSize(sizes)));
  for (let i = 0; i < sizes.length; i++) {
    const r = m.replies[i]!;
    w.message(1, sizes[i]!);
    w.double(1, r.id);
    if (r.response && r.response.length > 0) w.bytes(2, r.response);
    if (r.error) w.text(3, r.error);
    if (r.errorCode) w.text(4, r.errorCode);
  }
  return w.buf;
}

function decodeReply(r: ProtoReader): ForwardReplyMessage {
  let id = 0;
  let response: Uint8Array = EMPTY;
  let error = '';
  let errorCode = '';
  while (r.nextField()) {
    const { field, wireType } = r;
    if (field === 1) id = r.doubleOr(id);
    else if (field === 2 && wireType === LEN) {
      const end = r.lengthEnd();
      // A view, as proto-loader gave: a received message's bytes are not reused.
      response = r.buf.subarray(r.at, end);
      r.at = end;
    } else if (field === 3 && wireType === LEN) error = r.text();
    else if (field === 4 && wireType === LEN) errorCode = r.text();
    else r.skip(wireType);
  }
  return { id, response, error, errorCode };
}

/** Decodes a ForwardReplyBatch. Throws a RangeError on malformed bytes. */
export function decodeForwardReplyBatch(buf: Buffer): ForwardReplyBatchMessage {
  const r = new ProtoReader(buf);
  const replies: ForwardReplyMessage[] = [];
  while (r.nextField()) {
    if (r.field === 1 && r.wireType === LEN) replies.push(decodeReply(r.message()));
    else r.skip(r.wireType);
  }
  return { replies };
}
