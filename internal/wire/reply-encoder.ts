import { isValidUtf8, type BinStr } from '../store/index.js';
import { EncodedReply, ReplyMap, ScanReply, Simple, type Reply } from '../command/index.js';

/**
 * MessagePack encoder specialised to Reply. Written by hand because replies are made of binary
 * strings: this writes their bytes straight into the output (latin1 is one byte per char) with
 * no intermediate Buffers or objects, which a general encoder would need. Decoding (clients,
 * tests) uses msgpackr; reply-codec.test.ts checks the two agree.
 */
export class ReplyEncoder {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Encodes one reply into a fresh Buffer (a copy, so the scratch space is reused). */
  encode(reply: Reply): Buffer {
    this.pos = 0;
    this.write(reply);
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private write(reply: Reply): void {
    if (reply === null) {
      this.ensure(1);
      this.buf[this.pos++] = 0xc0;
    } else if (typeof reply === 'string') {
      this.bytes(reply, false);
    } else if (typeof reply === 'number') {
      this.int(reply);
    } else if (typeof reply === 'bigint') {
      this.bigint(reply);
    } else if (Array.isArray(reply)) {
      this.arrayHeader(reply.length);
      for (const item of reply) this.write(item);
    } else if (reply instanceof Simple) {
      this.text(reply.text);
    } else if (reply instanceof ReplyMap) {
      this.mapHeader(reply.entries.length);
      for (const [field, value] of reply.entries) {
        this.bytes(field, isValidUtf8(field));
        this.write(value);
      }
    } else if (reply instanceof ScanReply) {
      this.mapHeader(3);
      this.text('NextCursor');
      this.text(reply.cursor);
      this.text('Count');
      this.int(reply.keys.length);
      this.text('Keys');
      this.arrayHeader(reply.keys.length);
      for (const key of reply.keys) this.bytes(key, isValidUtf8(key));
    } else if (reply instanceof EncodedReply) {
      this.ensure(reply.msgpack.length);
      this.buf.set(reply.msgpack, this.pos);
      this.pos += reply.msgpack.length;
    } else {
      throw new TypeError('unsupported reply value');
    }
  }

  /** A binary string as bin, or as str when it is known to be valid UTF-8. */
  private bytes(value: BinStr, asStr: boolean): void {
    const n = value.length;
    this.ensure(n + 5);
    if (asStr) {
      if (n < 32) this.buf[this.pos++] = 0xa0 | n;
      else if (n < 0x100) this.header8(0xd9, n);
      else if (n < 0x10000) this.header16(0xda, n);
      else this.header32(0xdb, n);
    } else if (n < 0x100) this.header8(0xc4, n);
    else if (n < 0x10000) this.header16(0xc5, n);
    else this.header32(0xc6, n);
    this.pos += this.buf.write(value, this.pos, n, 'latin1');
  }

  /** A JS text string (status, map field names) as str. */
  private text(value: string): void {
    const n = Buffer.byteLength(value, 'utf8');
    this.ensure(n + 5);
    if (n < 32) this.buf[this.pos++] = 0xa0 | n;
    else if (n < 0x100) this.header8(0xd9, n);
    else if (n < 0x10000) this.header16(0xda, n);
    else this.header32(0xdb, n);
    this.pos += this.buf.write(value, this.pos, n, 'utf8');
  }

  private int(n: number): void {
    this.ensure(9);
    if (!Number.isSafeInteger(n)) throw new TypeError('reply integers must be safe integers');
    if (n >= 0 && n < 128) this.buf[this.pos++] = n;
    else if (n < 0 && n >= -32) this.buf[this.pos++] = 0xe0 | (n + 32);
    else if (n >= -0x80000000 && n <= 0x7fffffff) {
      this.buf[this.pos++] = 0xd2;
      this.buf.writeInt32BE(n, this.pos);
      this.pos += 4;
    } else this.bigint(BigInt(n));
  }

  private bigint(n: bigint): void {
    this.ensure(9);
    this.buf[this.pos++] = 0xd3;
    this.buf.writeBigInt64BE(n, this.pos);
    this.pos += 8;
  }

  private arrayHeader(n: number): void {
    this.ensure(5);
    if (n < 16) this.buf[this.pos++] = 0x90 | n;
    else if (n < 0x10000) this.header16(0xdc, n);
    else this.header32(0xdd, n);
  }

  private mapHeader(n: number): void {
    this.ensure(5);
    if (n < 16) this.buf[this.pos++] = 0x80 | n;
    else if (n < 0x10000) this.header16(0xde, n);
    else this.header32(0xdf, n);
  }

  private header8(tag: number, n: number): void {
    this.buf[this.pos++] = tag;
    this.buf[this.pos++] = n;
  }

  private header16(tag: number, n: number): void {
    this.buf[this.pos++] = tag;
    this.buf.writeUInt16BE(n, this.pos);
    this.pos += 2;
  }

  private header32(tag: number, n: number): void {
    this.buf[this.pos++] = tag;
    this.buf.writeUInt32BE(n, this.pos);
    this.pos += 4;
  }
}

const shared = new ReplyEncoder();

/**
 * The replies of most writes, small integers (HSET's 0 or 1, a list's length), encoded once.
 * Every consumer only reads a reply's bytes (protobuf copies them into its message), so one
 * Buffer each serves every reply: a write then allocates nothing to answer.
 */
const SMALL_INT_MIN = -1;
const SMALL_INT_MAX = 1023;
const SMALL_INTS: readonly Buffer[] = Array.from({ length: SMALL_INT_MAX - SMALL_INT_MIN + 1 }, (_, i) => shared.encode(i + SMALL_INT_MIN));

/** Encodes a reply as MessagePack (the CommandResponse.response bytes). Never mutate the result. */
export const encodeReply = (reply: Reply): Buffer =>
  typeof reply === 'number' && reply >= SMALL_INT_MIN && reply <= SMALL_INT_MAX && Number.isInteger(reply)
    ? SMALL_INTS[reply - SMALL_INT_MIN]!
    : shared.encode(reply);
