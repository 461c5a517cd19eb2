/**
 * A command's reply, independent of the protocol that carries it. wire/ encodes it as
 * MessagePack for gRPC; a RESP encoder will render the same values as Redis does.
 *
 * Strings of bytes ("binary strings") are JS strings holding one byte per char code (latin1):
 * V8 stores them one byte per char, and they compare and hash as values. See store/bytes.ts.
 */
export type BinStr = string;

/** A simple status string (`OK`, `PONG`, `hash`): MessagePack str, RESP `+OK`. */
export class Simple {
  constructor(readonly text: string) {}
}

/** An ordered map reply (HGETALL, gokv's HGET): MessagePack map, RESP flat array. */
export class ReplyMap {
  constructor(readonly entries: ReadonlyArray<readonly [BinStr, Reply]>) {}
}

/** SCAN's reply: MessagePack `{NextCursor, Count, Keys}` as in the Go gokv; RESP `[cursor, keys]`. */
export class ScanReply {
  constructor(
    readonly cursor: string,
    readonly keys: readonly BinStr[],
  ) {}
}

/**
 * A reply already encoded as MessagePack by another node (a forwarded command): passed through
 * to gRPC clients without decoding and encoding it again.
 */
export class EncodedReply {
  constructor(readonly msgpack: Uint8Array) {}
}

/**
 * null: nil; number/bigint: integer; BinStr: bulk bytes (MessagePack bin); Simple: status;
 * arrays, maps and SCAN as above.
 */
export type Reply = null | number | bigint | BinStr | Simple | ReplyMap | ScanReply | EncodedReply | Reply[];

export const OK = new Simple('OK');
