import type { BinStr } from '../store/index.js';
import {
  FRAME_CHUNK,
  FRAME_CRC_BYTES,
  FRAME_HEAD_BYTES,
  SnapshotFormatError,
  readU64,
  sealFrame,
} from './snapshot-format.js';

/**
 * A key's state as the store exports it (a live `KeyState` has this shape). The type stays a
 * name and the value a list of byte strings, whatever the type: a value type added to the store
 * later needs no change to the file format.
 */
export interface RecordState {
  /** The store's type name ('hash', 'list', ...), at most 255 bytes of ASCII. */
  readonly type: string;
  /** Hash: [f1, v1, f2, v2, ...]; list: head to tail; as `store.exportKey` gives it. */
  readonly value: readonly BinStr[];
  /** Absolute wall-clock ms; 0 = no expiry. */
  readonly expireAtMs: number;
  readonly version: number;
}

/**
 * The type name of a deleted key's record (no values, no expiry): restored as a tombstone at its
 * version. A gokv that predates it merges a record without values as a deletion too.
 */
export const TOMBSTONE_TYPE = 'deleted';

/** One key and its state, as a chunk holds it. */
export interface SnapshotRecord extends RecordState {
  readonly key: BinStr;
}

// Record layout: keyLen u32 | key | typeLen u8 | type | version u64 | expireAtMs u64 |
// values u32 | (len u32 | bytes) per value.
const RECORD_FIXED_BYTES = 4 + 1 + 8 + 8 + 4;
/** Below this length a char loop beats the call overhead of Buffer#write (measured: 1M 32-byte values). */
const SHORT = 64;

/** Bytes of the chunk frame holding these keys and states (head and CRC included). */
export function chunkFrameBytes(keys: readonly BinStr[], states: readonly RecordState[]): number {
  let bytes = FRAME_HEAD_BYTES + FRAME_CRC_BYTES;
  for (let i = 0; i < keys.length; i++) {
    const s = states[i]!;
    if (s.type.length > 255) throw new Error(`type name of ${s.type.length} chars does not fit a snapshot record`);
    bytes += RECORD_FIXED_BYTES + keys[i]!.length + s.type.length + 4 * s.value.length;
    for (const v of s.value) bytes += v.length;
  }
  return bytes;
}

/**
 * Encodes keys[i] with states[i] as one sealed chunk frame at `offset` of `buf` (room for
 * chunkFrameBytes of them must be there); returns the offset after the frame. Writing into the
 * caller's buffer lets the snapshot reuse one block instead of allocating a buffer per chunk.
 */
export function encodeChunkInto(buf: Buffer, offset: number, keys: readonly BinStr[], states: readonly RecordState[]): number {
  let o = offset + FRAME_HEAD_BYTES;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const s = states[i]!;
    o = putU32(buf, key.length, o);
    o = putBin(buf, key, o);
    buf[o++] = s.type.length;
    o = putBin(buf, s.type, o);
    o = putU64(buf, s.version, o);
    o = putU64(buf, s.expireAtMs, o);
    o = putU32(buf, s.value.length, o);
    for (const v of s.value) {
      o = putU32(buf, v.length, o);
      o = putBin(buf, v, o);
    }
  }
  return sealFrame(buf, offset, o + FRAME_CRC_BYTES, FRAME_CHUNK, keys.length);
}

/** Encodes records as one sealed chunk frame in a buffer of its own. */
export function encodeChunk(records: readonly SnapshotRecord[]): Buffer {
  const keys = records.map((r) => r.key);
  const frame = Buffer.allocUnsafe(chunkFrameBytes(keys, records));
  encodeChunkInto(frame, 0, keys, records);
  return frame;
}

/** Decodes the `count` records of a chunk's payload (its CRC already checked). */
export function decodeChunk(payload: Buffer, count: number, chunkIndex: number): SnapshotRecord[] {
  const records = new Array<SnapshotRecord>(count);
  let o = 0;
  let i = 0;
  const need = (n: number) => {
    if (o + n > payload.length) {
      throw new SnapshotFormatError(`chunk ${chunkIndex}: record ${i} runs past the end of its chunk`);
    }
  };
  for (; i < count; i++) {
    need(4);
    const keyLen = payload.readUInt32LE(o);
    need(4 + keyLen + 1);
    const key = payload.toString('latin1', o + 4, o + 4 + keyLen);
    o += 4 + keyLen;
    const typeLen = payload.readUInt8(o);
    need(1 + typeLen + 20);
    const type = payload.toString('latin1', o + 1, o + 1 + typeLen);
    o += 1 + typeLen;
    const version = readU64(payload, o);
    const expireAtMs = readU64(payload, o + 8);
    const n = payload.readUInt32LE(o + 16);
    o += 20;
    // Each value takes at least its 4-byte length: refuse an absurd count before allocating.
    need(4 * n);
    const value = new Array<BinStr>(n);
    for (let j = 0; j < n; j++) {
      need(4);
      const len = payload.readUInt32LE(o);
      need(4 + len);
      value[j] = payload.toString('latin1', o + 4, o + 4 + len);
      o += 4 + len;
    }
    records[i] = { key, type, value, expireAtMs, version };
  }
  if (o !== payload.length) {
    throw new SnapshotFormatError(`chunk ${chunkIndex}: ${payload.length - o} bytes left after its ${count} records`);
  }
  return records;
}

// Byte stores rather than Buffer#writeUInt32LE: the encoder is the snapshot's hot loop and
// these skip the per-call argument checks (measured: ~30% less time per record).
function putU32(buf: Buffer, n: number, o: number): number {
  buf[o] = n;
  buf[o + 1] = n >>> 8;
  buf[o + 2] = n >>> 16;
  buf[o + 3] = n >>> 24;
  return o + 4;
}

/** u64 as two u32 halves (values below 2^53, as writeU64). */
function putU64(buf: Buffer, n: number, o: number): number {
  putU32(buf, n % 2 ** 32 | 0, o); // | 0: int32 bits, so the byte stores stay on small integers
  return putU32(buf, (n / 2 ** 32) | 0, o + 4);
}

/** Writes a binary string's bytes at `o`; returns the offset after them. */
function putBin(buf: Buffer, s: BinStr, o: number): number {
  const n = s.length;
  if (n < SHORT) {
    for (let i = 0; i < n; i++) buf[o + i] = s.charCodeAt(i);
    return o + n;
  }
  return o + buf.write(s, o, n, 'latin1');
}
