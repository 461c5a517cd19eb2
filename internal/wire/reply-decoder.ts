import { Unpackr } from 'msgpackr';

/**
 * Decodes CommandResponse.response for clients (gokv-cli, tests, REST): bin -> Buffer,
 * str -> string, maps -> Map (keys may be Buffers), integers -> number or bigint.
 */
// 'auto': 64-bit integers decode as numbers when exact, else as bigint (supported at run time,
// missing from msgpackr's type declarations).
const unpackr = new Unpackr({ mapsAsObjects: false, useRecords: false, int64AsType: 'auto' as 'bigint' });

export type DecodedReply =
  | null
  | number
  | bigint
  | string
  | Buffer
  | boolean
  | DecodedReply[]
  | Map<string | Buffer, DecodedReply>;

export function decodeReply(bytes: Uint8Array): DecodedReply {
  if (bytes.length === 0) return null;
  return unpackr.unpack(bytes) as DecodedReply;
}
