import { Buffer } from 'node:buffer';
import type { BinStr } from '../store/index.js';
import { keyStateSize, readKeyState, writeKeyStates, type KeyStateFields } from './key-state-codec.js';
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
} from './proto-io.js';

// The internal messages that carry key states in bulk, read and written by hand (see
// key-state-codec.ts): internalpb.RebalanceRequest (a hand-off), FetchKeysResponse (a pull) and
// FetchRangeResponse (a range pull). Their small answers and requests keep proto-loader's codec.
// The bytes are the proto's (tests check both ways against proto-loader).

export interface KeyDigestFields {
  readonly key: BinStr;
  readonly version: number;
}

export interface HandedArcFields {
  readonly from: number;
  readonly to: number;
}

/** A RebalanceRequest; the Go gokv's `commands` (field 1, without versions) is skipped on reading. */
export interface RebalanceRequestMessage {
  readonly fromNodeId: string;
  readonly states?: readonly KeyStateFields[];
  readonly confirm?: readonly KeyDigestFields[];
  readonly done?: readonly HandedArcFields[];
  readonly relayed?: boolean;
}

/** A RebalanceRequest as read: every field present. */
export interface ReceivedRebalanceRequest {
  readonly fromNodeId: string;
  readonly states: KeyStateFields[];
  readonly confirm: KeyDigestFields[];
  readonly done: HandedArcFields[];
  readonly relayed: boolean;
}

export interface FetchKeysResponseMessage {
  readonly states: readonly KeyStateFields[];
  readonly deferred: readonly BinStr[];
}

/** A FetchRange answer: states complete below `next`. */
export interface FetchRangeResponseMessage {
  readonly states: readonly KeyStateFields[];
  readonly next: number;
  /** Members the answering node is itself still receiving parts of the range from: the asker asks them too. */
  readonly stillFrom: readonly string[];
}

const NONE: readonly never[] = [];
const digestSize = (d: KeyDigestFields): number => lenFieldSize(d.key.length) + DOUBLE_FIELD_SIZE;
const ARC_SIZE = 2 * DOUBLE_FIELD_SIZE;

export function encodeRebalanceRequest(m: RebalanceRequestMessage): Buffer {
  const states = m.states ?? NONE;
  const confirm = m.confirm ?? NONE;
  const done = m.done ?? NONE;
  const stateSizes = states.map(keyStateSize);
  const digestSizes = confirm.map(digestSize);
  const size =
    lenFieldsSize(stateSizes) + textFieldSize(m.fromNodeId) + lenFieldsSize(digestSizes) + done.length * lenFieldSize(ARC_SIZE) + (m.relayed ? 2 : 0);
  const w = new ProtoWriter(Buffer.allocUnsafe(size));
  writeKeyStates(w, 2, states, stateSizes);
  w.text(3, m.fromNodeId);
  for (let i = 0; i < confirm.length; i++) {
    w.message(4, digestSizes[i]!);
    w.bin(1, confirm[i]!.key);
    w.double(2, confirm[i]!.version);
  }
  for (const arc of done) {
    w.message(5, ARC_SIZE);
    w.double(1, arc.from);
    w.double(2, arc.to);
  }
  if (m.relayed) w.bool(6, true);
  return w.buf;
}

function readDigest(r: ProtoReader): KeyDigestFields {
  let key = '';
  let version = 0;
  while (r.nextField()) {
    if (r.field === 1 && r.wireType === LEN) key = r.bin();
    else if (r.field === 2) version = r.doubleOr(version);
    else r.skip(r.wireType);
  }
  return { key, version };
}

function readArc(r: ProtoReader): HandedArcFields {
  let from = 0;
  let to = 0;
  while (r.nextField()) {
    if (r.field === 1) from = r.doubleOr(from);
    else if (r.field === 2) to = r.doubleOr(to);
    else r.skip(r.wireType);
  }
  return { from, to };
}

/** Decodes a RebalanceRequest. Throws a RangeError on malformed bytes (grpc-js answers INTERNAL). */
export function decodeRebalanceRequest(buf: Buffer): ReceivedRebalanceRequest {
  const r = new ProtoReader(buf);
  let fromNodeId = '';
  const states: KeyStateFields[] = [];
  const confirm: KeyDigestFields[] = [];
  const done: HandedArcFields[] = [];
  let relayed = false;
  while (r.nextField()) {
    const { field, wireType } = r;
    if (field === 2 && wireType === LEN) states.push(readKeyState(r.message()));
    else if (field === 3 && wireType === LEN) fromNodeId = r.text();
    else if (field === 4 && wireType === LEN) confirm.push(readDigest(r.message()));
    else if (field === 5 && wireType === LEN) done.push(readArc(r.message()));
    else if (field === 6 && wireType === VARINT) relayed = r.varint() !== 0;
    else r.skip(wireType);
  }
  return { fromNodeId, states, confirm, done, relayed };
}

export function encodeFetchKeysResponse(m: FetchKeysResponseMessage): Buffer {
  const sizes = m.states.map(keyStateSize);
  const w = new ProtoWriter(Buffer.allocUnsafe(lenFieldsSize(sizes) + binFieldsSize(m.deferred)));
  writeKeyStates(w, 1, m.states, sizes);
  for (const key of m.deferred) w.bin(2, key);
  return w.buf;
}

/** Decodes a FetchKeysResponse. Throws a RangeError on malformed bytes. */
export function decodeFetchKeysResponse(buf: Buffer): FetchKeysResponseMessage {
  const r = new ProtoReader(buf);
  const states: KeyStateFields[] = [];
  const deferred: BinStr[] = [];
  while (r.nextField()) {
    if (r.field === 1 && r.wireType === LEN) states.push(readKeyState(r.message()));
    else if (r.field === 2 && r.wireType === LEN) deferred.push(r.bin());
    else r.skip(r.wireType);
  }
  return { states, deferred };
}

export function encodeFetchRangeResponse(m: FetchRangeResponseMessage): Buffer {
  const sizes = m.states.map(keyStateSize);
  let size = lenFieldsSize(sizes) + DOUBLE_FIELD_SIZE;
  for (const id of m.stillFrom) size += textFieldSize(id);
  const w = new ProtoWriter(Buffer.allocUnsafe(size));
  writeKeyStates(w, 1, m.states, sizes);
  w.double(2, m.next);
  for (const id of m.stillFrom) w.text(3, id);
  return w.buf;
}

/** Decodes a FetchRangeResponse. Throws a RangeError on malformed bytes. */
export function decodeFetchRangeResponse(buf: Buffer): FetchRangeResponseMessage {
  const r = new ProtoReader(buf);
  const states: KeyStateFields[] = [];
  let next = 0;
  const stillFrom: string[] = [];
  while (r.nextField()) {
    if (r.field === 1 && r.wireType === LEN) states.push(readKeyState(r.message()));
    else if (r.field === 2) next = r.doubleOr(next);
    else if (r.field === 3 && r.wireType === LEN) stillFrom.push(r.text());
    else r.skip(r.wireType);
  }
  return { states, next, stillFrom };
}
