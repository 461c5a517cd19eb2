import { Buffer } from 'node:buffer';
import type { KeyStateMessage, ReplicationAck, ReplicationOp, ReplicatedWrite } from '../replication/index.js';
import type { BinStr } from '../store/index.js';
import {
  DOUBLE_FIELD_SIZE,
  FIXED64,
  LEN,
  ProtoReader,
  keyStateSize,
  readKeyState,
  writeKeyState,
  ProtoWriter,
  VARINT,
  binFieldsSize,
  lenFieldSize,
  lenFieldsSize,
  textFieldSize,
} from '../wire/index.js';

// internalpb.ReplicateBatch and ReplicateAck, read and written by hand. Every replicated write
// crosses them twice per replica, and proto-loader's codec made a Buffer of each key and
// argument to encode (then a protobufjs object), and a Buffer view of each to decode, only for
// gokv to turn them back into strings. This writes the binary strings straight into the
// message and reads them straight out of it. The bytes are the proto's (tests check both ways
// against proto-loader), so a node on either codec reads the other.

/** A ReplicateBatch as the leader sends it and the replica applies it. */
export interface ReplicateBatchMessage {
  readonly leaderId: string;
  readonly ops: readonly ReplicationOp[];
}

function writeSize(w: ReplicatedWrite): number {
  return textFieldSize(w.name) + lenFieldSize(w.key.length) + binFieldsSize(w.args) + 2 * DOUBLE_FIELD_SIZE;
}

function opSize(op: ReplicationOp): number {
  if (op.evicted) return 2 * DOUBLE_FIELD_SIZE + lenFieldSize(op.evicted.key.length);
  return DOUBLE_FIELD_SIZE + (op.state ? lenFieldSize(keyStateSize(op.state)) : writeSize(op.write!));
}

export function encodeReplicateBatch(m: ReplicateBatchMessage): Buffer {
  const sizes = m.ops.map(opSize);
  const w = new ProtoWriter(Buffer.allocUnsafe(textFieldSize(m.leaderId) + lenFieldsSize(sizes)));
  w.text(1, m.leaderId);
  m.ops.forEach((op, i) => {
    w.message(2, sizes[i]!);
    w.double(1, op.seq);
    if (op.state) {
      w.message(7, keyStateSize(op.state));
      writeKeyState(w, op.state);
      return;
    }
    if (op.evicted) {
      w.bin(3, op.evicted.key);
      w.double(8, op.evicted.version);
      return;
    }
    const write = op.write!;
    w.text(2, write.name);
    w.bin(3, write.key);
    for (const a of write.args) w.bin(4, a);
    w.double(5, write.version);
    w.double(6, write.prevVersion);
  });
  return w.buf;
}

function decodeOp(o: ProtoReader): ReplicationOp {
  let seq = 0;
  let name = '';
  let key = '';
  const args: BinStr[] = [];
  let version = 0;
  let prevVersion = 0;
  let state: KeyStateMessage | undefined;
  let evictedVersion: number | undefined;
  while (o.nextField()) {
    const { field, wireType } = o;
    if (field === 1) seq = o.doubleOr(seq);
    else if (field === 2 && wireType === LEN) name = o.text();
    else if (field === 3 && wireType === LEN) key = o.bin();
    else if (field === 4 && wireType === LEN) args.push(o.bin());
    else if (field === 5) version = o.doubleOr(version);
    else if (field === 6) prevVersion = o.doubleOr(prevVersion);
    else if (field === 7 && wireType === LEN) state = readKeyState(o.message());
    else if (field === 8 && wireType === FIXED64) evictedVersion = o.doubleOr(0);
    else o.skip(wireType);
  }
  if (state) return { seq, state };
  if (evictedVersion !== undefined) return { seq, evicted: { key, version: evictedVersion } };
  return { seq, write: { name, key, args, version, prevVersion } };
}

/** Decodes a ReplicateBatch. Throws a RangeError on malformed bytes (grpc-js answers INTERNAL). */
export function decodeReplicateBatch(buf: Buffer): ReplicateBatchMessage {
  const r = new ProtoReader(buf);
  let leaderId = '';
  const ops: ReplicationOp[] = [];
  while (r.nextField()) {
    if (r.field === 1 && r.wireType === LEN) leaderId = r.text();
    else if (r.field === 2 && r.wireType === LEN) ops.push(decodeOp(r.message()));
    else r.skip(r.wireType);
  }
  return { leaderId, ops };
}

export function encodeReplicateAck(a: ReplicationAck): Buffer {
  const w = new ProtoWriter(Buffer.allocUnsafe(DOUBLE_FIELD_SIZE + binFieldsSize(a.resyncKeys)));
  w.double(1, a.ackedSeq);
  for (const k of a.resyncKeys) w.bin(2, k);
  return w.buf;
}

export function decodeReplicateAck(buf: Buffer): ReplicationAck {
  const r = new ProtoReader(buf);
  let ackedSeq = 0;
  const resyncKeys: BinStr[] = [];
  while (r.nextField()) {
    if (r.field === 1) ackedSeq = r.doubleOr(ackedSeq);
    else if (r.field === 2 && r.wireType === LEN) resyncKeys.push(r.bin());
    else r.skip(r.wireType);
  }
  return { ackedSeq, resyncKeys };
}
