// wire/ owns the gRPC wire format: proto loading, the command methods' codec, MessagePack replies,
// GokvError <-> gRPC status.
// It imports errors/, store/ (byte helpers) and command/ (reply types); never server/ or node/.
export { loadProtos, protoDir } from './protos.js';
export { encodeReply, ReplyEncoder } from './reply-encoder.js';
export { decodeReply, type DecodedReply } from './reply-decoder.js';
export { toServiceError, fromServiceError, grpcStatusOf, ERROR_CODE_METADATA } from './status.js';
export {
  decodeCommandRequest,
  encodeCommandResponse,
  withCommandCodec,
  type CommandReply,
  type DecodedCommand,
} from './command-codec.js';
export {
  ProtoReader,
  ProtoWriter,
  binFieldsSize,
  lenFieldSize,
  lenFieldsSize,
  textFieldSize,
  varintSize,
  DOUBLE_FIELD_SIZE,
  VARINT,
  FIXED64,
  LEN,
  FIXED32,
} from './proto-io.js';
export {
  decodeForwardBatch,
  decodeForwardReplyBatch,
  encodeForwardBatch,
  encodeForwardReplyBatch,
  forwardedCommandBytes,
  type ForwardBatchMessage,
  type ForwardedCommandMessage,
  type ForwardReplyBatchMessage,
  type ForwardReplyMessage,
} from './forward-codec.js';
export { keyStateSize, readKeyState, writeKeyState, type KeyStateFields } from './key-state-codec.js';
export {
  decodeFetchKeysResponse,
  decodeFetchRangeResponse,
  decodeRebalanceRequest,
  encodeFetchKeysResponse,
  encodeFetchRangeResponse,
  encodeRebalanceRequest,
  type FetchKeysResponseMessage,
  type FetchRangeResponseMessage,
  type HandedArcFields,
  type KeyDigestFields,
  type RebalanceRequestMessage,
  type ReceivedRebalanceRequest,
} from './rebalance-codec.js';
