import { crc32 } from 'node:zlib';

/**
 * The snapshot file, version 1. All integers little-endian; every byte is covered by a CRC-32.
 *
 *   header   magic "GOKVSNAP" (8) | format version u16 | flags u16 (0) | startedAtMs u64 | crc32 u32
 *   frames   kind u8 | count u32 | length u32 | payload (length bytes) | crc32 u32
 *            (the CRC covers kind, count, length and payload)
 *     'C'    a chunk: `count` records (record-codec.ts), written as one store page was exported
 *     'E'    the end, exactly once and last: count = chunk frames before it,
 *            payload = records u64 | finishedAtMs u64; nothing may follow it
 *
 * A CRC per frame (rather than one over the file) lets the writer stream frames without holding
 * the file, and lets the reader say which frame is damaged; the end frame's counts catch a file
 * cut at a frame boundary. A reader of another format version refuses the file rather than guess.
 */
export const MAGIC = Buffer.from('GOKVSNAP', 'latin1');
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 24;
/** kind + count + length. */
export const FRAME_HEAD_BYTES = 9;
export const FRAME_CRC_BYTES = 4;
export const FRAME_CHUNK = 0x43; // 'C'
export const FRAME_END = 0x45; // 'E'
export const END_PAYLOAD_BYTES = 16;
/** The size of a snapshot with no record: its header and end frame. */
export const EMPTY_SNAPSHOT_BYTES = HEADER_BYTES + FRAME_HEAD_BYTES + END_PAYLOAD_BYTES + FRAME_CRC_BYTES;

const TWO_32 = 2 ** 32;

/** What the header says. */
export interface SnapshotHeader {
  readonly formatVersion: number;
  /** Wall-clock ms when the walk of the keyspace began. */
  readonly startedAtMs: number;
}

/** What the end frame says. */
export interface SnapshotTrailer {
  readonly chunks: number;
  readonly records: number;
  readonly finishedAtMs: number;
}

/** A file that is not a complete, intact snapshot: `problem` says what is wrong and where. */
export class SnapshotFormatError extends Error {
  constructor(
    readonly problem: string,
    /** A format version above this gokv's: a newer gokv wrote it (a downgrade), not damage. */
    readonly newer = false,
  ) {
    super(problem);
    this.name = 'SnapshotFormatError';
  }
}

/** Writes a non-negative integer below 2^53 as u64 (two u32 halves: exact, no BigInt). */
export function writeU64(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32LE(value % TWO_32 >>> 0, offset);
  buf.writeUInt32LE(Math.floor(value / TWO_32), offset + 4);
}

/** Reads a u64 written by writeU64; a value at or past 2^53 is refused (not one gokv writes). */
export function readU64(buf: Buffer, offset: number): number {
  const hi = buf.readUInt32LE(offset + 4);
  if (hi >= 2 ** 21) throw new SnapshotFormatError(`integer at byte ${offset} of a frame is out of range`);
  return hi * TWO_32 + buf.readUInt32LE(offset);
}

export function encodeHeader(startedAtMs: number): Buffer {
  const buf = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(buf, 0);
  buf.writeUInt16LE(FORMAT_VERSION, 8);
  buf.writeUInt16LE(0, 10);
  writeU64(buf, startedAtMs, 12);
  buf.writeUInt32LE(crc32(buf.subarray(0, 20)), 20);
  return buf;
}

export function decodeHeader(buf: Buffer): SnapshotHeader {
  if (buf.length < HEADER_BYTES) {
    throw new SnapshotFormatError(`truncated: ${buf.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  }
  if (!buf.subarray(0, 8).equals(MAGIC)) throw new SnapshotFormatError('not a gokv snapshot (bad magic)');
  const formatVersion = buf.readUInt16LE(8);
  if (formatVersion !== FORMAT_VERSION) {
    throw new SnapshotFormatError(`unsupported format version ${formatVersion} (this gokv reads ${FORMAT_VERSION})`, formatVersion > FORMAT_VERSION);
  }
  if (crc32(buf.subarray(0, 20)) !== buf.readUInt32LE(20)) throw new SnapshotFormatError('header checksum mismatch');
  return { formatVersion, startedAtMs: readU64(buf, 12) };
}

/**
 * Fills in the head and CRC of the frame at [start, end) of `buf`, whose payload is already in
 * place after the head: encoders write the payload where the frame goes, then seal it. Returns end.
 */
export function sealFrame(buf: Buffer, start: number, end: number, kind: number, count: number): number {
  const payloadBytes = end - start - FRAME_HEAD_BYTES - FRAME_CRC_BYTES;
  buf.writeUInt8(kind, start);
  buf.writeUInt32LE(count, start + 1);
  buf.writeUInt32LE(payloadBytes, start + 5);
  const crcAt = end - FRAME_CRC_BYTES;
  buf.writeUInt32LE(crc32(buf.subarray(start, crcAt)), crcAt);
  return end;
}

export function encodeEnd(trailer: SnapshotTrailer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEAD_BYTES + END_PAYLOAD_BYTES + FRAME_CRC_BYTES);
  writeU64(frame, trailer.records, FRAME_HEAD_BYTES);
  writeU64(frame, trailer.finishedAtMs, FRAME_HEAD_BYTES + 8);
  sealFrame(frame, 0, frame.length, FRAME_END, trailer.chunks);
  return frame;
}

export function decodeEnd(count: number, payload: Buffer): SnapshotTrailer {
  if (payload.length !== END_PAYLOAD_BYTES) {
    throw new SnapshotFormatError(`end frame has ${payload.length} payload bytes, expected ${END_PAYLOAD_BYTES}`);
  }
  return { chunks: count, records: readU64(payload, 0), finishedAtMs: readU64(payload, 8) };
}
