import { binFromRange as latin1, type BinStr } from '../store/index.js';
import { splitInline } from './inline.js';

/** Redis's PROTO_INLINE_MAX_SIZE: longest inline command or header line. */
export const MAX_INLINE_BYTES = 64 * 1024;

export interface ParserLimits {
  /** Longest bulk string (limits.max_value_bytes). */
  readonly maxBulkBytes: number;
  /** Most elements in one multibulk command, name and key included (limits.max_args + 2). */
  readonly maxArgs: number;
  /** Most bytes of bulk data in one command (limits.max_message_bytes). */
  readonly maxCommandBytes: number;
}

/** A malformed or oversized request: answered `-ERR Protocol error: ...`, then the connection closes. */
export class RespProtocolError extends Error {
  constructor(detail: string) {
    super(`ERR Protocol error: ${detail}`);
    this.name = 'RespProtocolError';
  }
}

const CR = 13;
const LF = 10;

/**
 * An incremental RESP2 request parser: feed it socket chunks with `push`, take commands with
 * `next` until it returns undefined. Multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline
 * (`GET k\n`) commands, any number per chunk, any frame split across chunks. State is kept
 * between chunks (arguments read so far, the bulk length awaited), so a large command is
 * parsed once, and chunks of a large bulk are joined once, when the whole bulk has arrived.
 * Arguments come out as binary strings.
 */
export class RespParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Chunks not merged into `buf` yet: merged once parsing needs them (waitFor). */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Set by waitFor when it merged chunks in: next() parses again. */
  private merged = false;
  /** Elements of the multibulk being read (-1: between commands). */
  private argc = -1;
  private args: BinStr[] = [];
  private argBytes = 0;
  /** Bytes of the arguments in `args` (argBytes also counts the bulk being read). */
  private parsedBytes = 0;
  /** Length of the bulk being read (-1: its `$` line is next). */
  private bulkLen = -1;

  constructor(private readonly limits: ParserLimits) {}

  /** Bytes received and not yet consumed (for tests and CLIENT INFO's qbuf). */
  get buffered(): number {
    return this.buf.length - this.pos + this.partsBytes;
  }

  /**
   * What this parser holds of unfinished requests: the bytes not parsed yet, and the arguments
   * of the command being read, each with the string header and array slot it costs.
   */
  get heldBytes(): number {
    return this.buffered + this.parsedBytes + ARG_OVERHEAD_BYTES * this.args.length;
  }

  push(chunk: Buffer): void {
    if (this.pos >= this.buf.length && this.parts.length === 0) {
      this.buf = chunk;
      this.pos = 0;
      return;
    }
    // Kept apart until the parser needs them (waitFor): merged here, a connection that reads on
    // while its commands wait to run copied everything it held on every chunk.
    this.parts.push(chunk);
    this.partsBytes += chunk.length;
  }

  /** The next complete command, or undefined until more bytes arrive. Throws RespProtocolError. */
  next(): BinStr[] | undefined {
    for (;;) {
      const out = this.parse();
      if (out !== undefined || !this.merged) return out;
      this.merged = false; // bytes that had arrived were merged in while waiting: parse on
    }
  }

  private parse(): BinStr[] | undefined {
    for (;;) {
      if (this.argc < 0) {
        if (this.pos >= this.buf.length) return this.waitFor(0);
        if (this.buf[this.pos] !== 0x2a /* '*' */) return this.inline();
        const count = this.header('too big mbulk count string');
        if (count === WAIT) return undefined;
        if (Number.isNaN(count) || count > this.limits.maxArgs) throw new RespProtocolError('invalid multibulk length');
        if (count <= 0) continue; // `*0` and `*-1` are empty requests: Redis skips them
        this.argc = count;
        this.args = [];
        this.argBytes = 0;
        this.parsedBytes = 0;
      }
      while (this.args.length < this.argc) {
        if (this.bulkLen < 0) {
          if (this.pos >= this.buf.length) return this.waitFor(0);
          const first = this.buf[this.pos]!;
          if (first !== 0x24 /* '$' */) throw new RespProtocolError(`expected '$', got '${printableByte(first)}'`);
          const len = this.header('too big bulk count string');
          if (len === WAIT) return undefined;
          if (Number.isNaN(len) || len < 0 || len > this.limits.maxBulkBytes) throw new RespProtocolError('invalid bulk length');
          this.argBytes += len;
          if (this.argBytes > this.limits.maxCommandBytes) throw new RespProtocolError('command larger than limits.max_message_bytes');
          this.bulkLen = len;
        }
        const end = this.pos + this.bulkLen;
        if (end + 2 > this.buf.length) return this.waitFor(this.bulkLen + 2);
        this.args.push(latin1(this.buf, this.pos, end));
        this.parsedBytes += this.bulkLen;
        this.pos = end + 2; // Redis does not check the CRLF after a bulk either
        this.bulkLen = -1;
      }
      const out = this.args;
      this.argc = -1;
      this.args = [];
      this.parsedBytes = 0;
      this.release();
      return out;
    }
  }

  /** An inline command (a line ending in LF, CR optional). Empty lines are skipped. */
  private inline(): BinStr[] | undefined {
    for (;;) {
      const lf = this.buf.indexOf(LF, this.pos);
      if (lf < 0) {
        if (this.buf.length - this.pos > MAX_INLINE_BYTES) throw new RespProtocolError('too big inline request');
        return this.waitFor(0);
      }
      const end = lf > this.pos && this.buf[lf - 1] === CR ? lf - 1 : lf;
      const line = latin1(this.buf, this.pos, end);
      this.pos = lf + 1;
      const words = splitInline(line);
      if (words === undefined) throw new RespProtocolError('unbalanced quotes in request');
      if (words.length > this.limits.maxArgs) throw new RespProtocolError('invalid multibulk length');
      if (words.length > 0) {
        this.release();
        return words;
      }
      if (this.pos >= this.buf.length) return this.waitFor(0);
      if (this.buf[this.pos] === 0x2a) return this.parse();
    }
  }

  /**
   * The number of a `*n` or `$n` header line, moving past it: WAIT until the line is complete,
   * BAD when it is not a number (Redis's string2ll: digits with an optional '-').
   */
  private header(tooBig: string): number {
    const buf = this.buf;
    const cr = buf.indexOf(CR, this.pos);
    if (cr < 0 || cr + 1 >= buf.length) {
      if (buf.length - this.pos > MAX_INLINE_BYTES) throw new RespProtocolError(tooBig);
      this.waitFor(0);
      return WAIT;
    }
    if (cr - this.pos > MAX_INLINE_BYTES) throw new RespProtocolError(tooBig);
    let i = this.pos + 1;
    this.pos = cr + 2;
    const negative = buf[i] === 0x2d;
    if (negative) i++;
    // 16 digits stay exact as a double; any real length is far shorter.
    if (i >= cr || cr - i > 16) return BAD;
    // As Redis's string2ll: no leading zero (`$04`, `*01`) and no `-0`; `0` alone is fine.
    if (buf[i] === 0x30 && (negative || i + 1 < cr)) return BAD;
    let n = 0;
    for (; i < cr; i++) {
      const d = buf[i]! - 0x30;
      if (d < 0 || d > 9) return BAD;
      n = n * 10 + d;
    }
    return negative ? -n : n;
  }

  private waitFor(bytes: number): undefined {
    if (this.partsBytes > 0 && this.buf.length - this.pos + this.partsBytes >= bytes) {
      // Enough has arrived (push only keeps chunks): next() parses on.
      this.merge();
      this.merged = true;
    }
    return undefined;
  }

  private merge(): void {
    this.buf = Buffer.concat([this.buf.subarray(this.pos), ...this.parts]);
    this.pos = 0;
    this.parts = [];
    this.partsBytes = 0;
  }

  /** Drops a fully consumed buffer so a large one is not kept alive between commands. */
  private release(): void {
    if (this.pos >= this.buf.length && this.parts.length === 0) {
      this.buf = Buffer.alloc(0);
      this.pos = 0;
    }
  }
}

const WAIT = -Infinity;
/**
 * A parsed argument's cost beside its bytes, roughly: V8's string header and alignment (16-24 B
 * without pointer compression), its slot in the array (8 B) and the array's spare capacity.
 */
export const ARG_OVERHEAD_BYTES = 40;
/** Not a number: compare with Number.isNaN. */
const BAD = Number.NaN;

function printableByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
}
