import { open, stat, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { decodeChunk, type SnapshotRecord } from './record-codec.js';
import {
  FRAME_CHUNK,
  FRAME_CRC_BYTES,
  FRAME_END,
  FRAME_HEAD_BYTES,
  HEADER_BYTES,
  SnapshotFormatError,
  decodeEnd,
  decodeHeader,
  type SnapshotHeader,
  type SnapshotTrailer,
} from './snapshot-format.js';

/** A snapshot file that checked out whole. */
export interface SnapshotSummary {
  readonly header: SnapshotHeader;
  readonly trailer: SnapshotTrailer;
  readonly bytes: number;
}

/** Receives one chunk's records, in file order. */
export type ChunkVisitor = (records: SnapshotRecord[], chunkIndex: number) => void | Promise<void>;

/** File bytes read per disk read: frames are small, so read ahead rather than twice per frame. */
const READ_AHEAD_BYTES = 1 << 20;

/** Something other than a regular file is at a snapshot path. */
export class NotRegularFileError extends Error {}

/**
 * Whether a regular file is at `path` (symbolic links followed); throws NotRegularFileError for
 * anything else there. A FIFO would block the open forever, and a device (say /dev/null, meant as
 * "no snapshot") would be renamed away as damaged, then replaced by a file: neither is a snapshot
 * to read or to write over.
 */
export async function checkSnapshotPath(path: string): Promise<boolean> {
  let kind: string;
  try {
    const s = await stat(path);
    if (s.isFile()) return true;
    kind = s.isDirectory() ? 'a directory' : s.isFIFO() ? 'a FIFO' : s.isSocket() ? 'a socket' : 'a device';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  throw new NotRegularFileError(`${path} is ${kind}, not a regular file`);
}

/**
 * Reads a snapshot frame by frame, checking every CRC, the frame bounds against the file's size
 * and the end frame's counts. Without `visit` it only checks (no record is decoded); with it,
 * each chunk's records go to `visit` once that chunk checked out. Throws SnapshotFormatError
 * naming what is wrong and where, or the fs error (ENOENT, EACCES) as is; once `signal` is
 * aborted, its reason before the next frame; a plain Error for a path that is not a regular file.
 */
export async function readSnapshot(path: string, visit?: ChunkVisitor, signal?: AbortSignal): Promise<SnapshotSummary> {
  await checkSnapshotPath(path);
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const reader = new AheadReader(handle);
    const header = decodeHeader(await reader.take(Math.min(HEADER_BYTES, size)));
    let offset = HEADER_BYTES;
    let chunks = 0;
    let records = 0;
    for (;;) {
      signal?.throwIfAborted();
      const where = `frame ${chunks} at byte ${offset}`;
      if (size - offset < FRAME_HEAD_BYTES) {
        throw new SnapshotFormatError(
          `truncated: the file ends ${size - offset} bytes into ${where}, after ${chunks} chunks and before the end frame`,
        );
      }
      const head = await reader.take(FRAME_HEAD_BYTES);
      const kind = head.readUInt8(0);
      const count = head.readUInt32LE(1);
      const length = head.readUInt32LE(5);
      if (kind !== FRAME_CHUNK && kind !== FRAME_END) {
        throw new SnapshotFormatError(`corrupt: ${where} has unknown kind 0x${kind.toString(16)}`);
      }
      const end = offset + FRAME_HEAD_BYTES + length + FRAME_CRC_BYTES;
      if (end > size) {
        throw new SnapshotFormatError(
          `truncated or corrupt: ${where} declares ${length} payload bytes but the file ends ${size - offset - FRAME_HEAD_BYTES} bytes later`,
        );
      }
      const body = await reader.take(length + FRAME_CRC_BYTES);
      const payload = body.subarray(0, length);
      if (crc32(payload, crc32(head)) !== body.readUInt32LE(length)) {
        throw new SnapshotFormatError(`corrupt: checksum mismatch in ${where}`);
      }
      if (kind === FRAME_END) {
        const trailer = decodeEnd(count, payload);
        if (end !== size) throw new SnapshotFormatError(`corrupt: ${size - end} unexpected bytes after the end frame`);
        if (trailer.chunks !== chunks || trailer.records !== records) {
          throw new SnapshotFormatError(
            `corrupt: the end frame counts ${trailer.chunks} chunks and ${trailer.records} records, the file holds ${chunks} and ${records}`,
          );
        }
        return { header, trailer, bytes: size };
      }
      if (visit !== undefined) await visit(decodeChunk(payload, count, chunks), chunks);
      records += count;
      chunks++;
      offset = end;
    }
  } finally {
    await handle.close();
  }
}

/** Sequential reads through a read-ahead block; `take` returns views into it (copy what you keep). */
class AheadReader {
  private block = Buffer.alloc(0);
  private pos = 0;
  private fileOffset = 0;

  constructor(private readonly handle: FileHandle) {}

  async take(n: number): Promise<Buffer> {
    if (this.block.length - this.pos < n) await this.fill(n);
    const out = this.block.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private async fill(n: number): Promise<void> {
    const rest = this.block.subarray(this.pos);
    const next = Buffer.allocUnsafe(Math.max(n, READ_AHEAD_BYTES));
    rest.copy(next, 0);
    let got = rest.length;
    while (got < n) {
      const { bytesRead } = await this.handle.read(next, got, next.length - got, this.fileOffset);
      if (bytesRead === 0) break;
      got += bytesRead;
      this.fileOffset += bytesRead;
    }
    this.block = next.subarray(0, got);
    this.pos = 0;
    // The size was checked first, so a short read means the file shrank while being read.
    if (got < n) throw new SnapshotFormatError('truncated: the file got shorter while it was read');
  }
}
