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
}

/**
 * Decodes a CommandRequest. Throws on malformed bytes, which grpc-js answers with INTERNAL, as it
 * did with proto-loader's codec. A known field sent with another wire type is skipped as unknown.
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
