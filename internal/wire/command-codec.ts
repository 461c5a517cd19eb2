import type * as grpc from '@grpc/grpc-js';
import { binFromRange, type BinStr } from '../store/index.js';

// commonpb.CommandRequest and CommandResponse, read and written by hand for the ExternalServer's
// two command methods. proto-loader's codec builds a request object with one Buffer view per
// argument, which the server then turned into strings; this reads the strings straight from the
// received bytes, and writes a reply without building a protobufjs message first. Clients keep
// proto-loader's codec: the bytes on the wire are the same.

/** A CommandResponse as the server sends it (the generated type also allows a base64 string). */
export interface CommandReply {
  readonly response?: Uint8Array;
  readonly error?: string;
}

/**
 * A CommandRequest as the server uses it: key and arguments already binary strings. Its fields
 * are those of server/'s ServedCommand, so the decoded object is served as it is.
 */
export interface DecodedCommand {
  readonly name: string;
  readonly key: BinStr;
  /** At most the decoder's `maxArgs`; the rest are counted, not decoded. */
  readonly args: BinStr[];
  /** How many arguments the request carried. */
  readonly argCount: number;
}

const LEN = 2;

class Reader {
  at = 0;
  constructor(readonly buf: Buffer) {}

  varint(): number {
    const { buf } = this;
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.at >= buf.length) throw new RangeError('truncated varint');
      const b = buf[this.at++]!;
      // Bits past 32 only matter for 64-bit fields, which CommandRequest has none of.
      if (shift < 32) value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
    throw new RangeError('varint longer than 10 bytes');
  }

  /** The end of a length-delimited field whose length is next. */
  lengthEnd(): number {
    const len = this.varint();
    const end = this.at + len;
    if (end > this.buf.length) throw new RangeError('field length past the end of the message');
    return end;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.at += 8;
        break;
      case 2:
        this.at = this.lengthEnd();
        return;
      case 5:
        this.at += 4;
        break;
      default:
        // 3 and 4 are proto2 groups, which no proto3 message has; 6 and 7 do not exist.
        throw new RangeError(`unsupported wire type ${wireType}`);
    }
    if (this.at > this.buf.length) throw new RangeError('fixed field past the end of the message');
  }
}

/**
 * Decodes a CommandRequest. Throws on malformed bytes, which grpc-js answers with INTERNAL, as it
 * did with proto-loader's codec. A known field sent with another wire type is skipped as unknown.
 * The key's bytes are kept as they are (a string field that is not UTF-8 is not rewritten).
 * Arguments past `maxArgs` are only counted, so a request over the limit costs no memory for
 * them; the server refuses it by `argCount`.
 */
export function decodeCommandRequest(buf: Buffer, maxArgs = Infinity): DecodedCommand {
  const r = new Reader(buf);
  let name = '';
  let key = '';
  const args: BinStr[] = [];
  let argCount = 0;
  while (r.at < buf.length) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (wireType !== LEN || field < 1 || field > 3) {
      r.skip(wireType);
      continue;
    }
    const end = r.lengthEnd();
    const start = r.at;
    r.at = end;
    if (field === 1) name = buf.toString('utf8', start, end);
    else if (field === 2) key = binFromRange(buf, start, end);
    else if (argCount++ < maxArgs) args.push(binFromRange(buf, start, end));
  }
  return { name, key, args, argCount };
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

/** Encodes a CommandResponse: `response` (field 1) or `error` (field 2); empty fields are omitted. */
export function encodeCommandResponse(m: CommandReply): Buffer {
  const { response } = m;
  const errorLen = m.error ? Buffer.byteLength(m.error, 'utf8') : 0;
  const responseLen = response ? response.length : 0;
  let size = 0;
  if (responseLen > 0) size += 1 + varintSize(responseLen) + responseLen;
  if (errorLen > 0) size += 1 + varintSize(errorLen) + errorLen;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  if (responseLen > 0) {
    out[at++] = (1 << 3) | LEN;
    at = writeVarint(out, at, responseLen);
    out.set(response!, at);
    at += responseLen;
  }
  if (errorLen > 0) {
    out[at++] = (2 << 3) | LEN;
    at = writeVarint(out, at, errorLen);
    out.write(m.error!, at, 'utf8');
  }
  return out;
}

/**
 * The ExternalServer definition with RunCommand and StreamCommand served by this codec, decoding
 * at most `maxArgs` arguments per request. The client-side halves (request serialize, response
 * deserialize) stay proto-loader's.
 */
export function withCommandCodec(service: grpc.ServiceDefinition, maxArgs = Infinity): grpc.ServiceDefinition {
  const served = {
    requestDeserialize: (buf: Buffer) => decodeCommandRequest(buf, maxArgs),
    responseSerialize: encodeCommandResponse,
  };
  return Object.fromEntries(
    Object.entries(service).map(([name, method]) => [
      name,
      name === 'RunCommand' || name === 'StreamCommand' ? { ...method, ...served } : method,
    ]),
  );
}
