import type * as grpc from '@grpc/grpc-js';
import type { BinStr } from '../store/index.js';
import { LEN, ProtoReader, ProtoWriter, lenFieldSize } from './proto-io.js';

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
  /** Set when the bytes were not a CommandRequest: why (the other fields are then empty). */
  readonly malformed?: string;
}

/**
 * Decodes a CommandRequest. Throws a RangeError on malformed bytes (the server's deserializer
 * marks the request instead: decodeServed). A known field sent with another wire type is skipped as unknown.
 * The key's bytes are kept as they are (a string field that is not UTF-8 is not rewritten).
 * Arguments past `maxArgs` are only counted, so a request over the limit costs no memory for
 * them; the server refuses it by `argCount`.
 */
export function decodeCommandRequest(buf: Buffer, maxArgs = Infinity): DecodedCommand {
  const r = new ProtoReader(buf);
  let name = '';
  let key = '';
  const args: BinStr[] = [];
  let argCount = 0;
  while (r.nextField()) {
    const { field } = r;
    if (r.wireType !== LEN || field < 1 || field > 3) r.skip(r.wireType);
    else if (field === 1) name = r.text();
    else if (field === 2) key = r.bin();
    else if (argCount++ < maxArgs) args.push(r.bin());
    else r.skip(LEN);
  }
  return { name, key, args, argCount };
}

/**
 * decodeCommandRequest for the server: malformed bytes give a request marked `malformed` rather
 * than a throw. Thrown, grpc-js ended the call with INTERNAL, dropping the replies of earlier
 * commands still running, and on StreamCommand it could race a reply being written and end the
 * call without trailers (the client waited for its deadline). Marked, the server refuses that
 * one request and a stream goes on, as gRPC's framing of the next message is intact.
 */
function decodeServed(buf: Buffer, maxArgs: number): DecodedCommand {
  try {
    return decodeCommandRequest(buf, maxArgs);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return { name: '', key: '', args: [], argCount: 0, malformed: err.message };
  }
}

/** Encodes a CommandResponse: `response` (field 1) or `error` (field 2); empty fields are omitted. */
export function encodeCommandResponse(m: CommandReply): Buffer {
  const { response, error } = m;
  const responseLen = response ? response.length : 0;
  const errorLen = error ? Buffer.byteLength(error, 'utf8') : 0;
  const w = new ProtoWriter(
    Buffer.allocUnsafe((responseLen > 0 ? lenFieldSize(responseLen) : 0) + (errorLen > 0 ? lenFieldSize(errorLen) : 0)),
  );
  if (responseLen > 0) w.bytes(1, response!);
  if (errorLen > 0) w.text(2, error!, errorLen);
  return w.buf;
}

/**
 * The ExternalServer definition with RunCommand and StreamCommand served by this codec, decoding
 * at most `maxArgs` arguments per request. The client-side halves (request serialize, response
 * deserialize) stay proto-loader's.
 */
export function withCommandCodec(service: grpc.ServiceDefinition, maxArgs = Infinity): grpc.ServiceDefinition {
  const served = {
    requestDeserialize: (buf: Buffer) => decodeServed(buf, maxArgs),
    responseSerialize: encodeCommandResponse,
  };
  return Object.fromEntries(
    Object.entries(service).map(([name, method]) => [
      name,
      name === 'RunCommand' || name === 'StreamCommand' ? { ...method, ...served } : method,
    ]),
  );
}
