// resp/ owns the Redis protocol (RESP2) endpoint as an adapter: parse requests, answer the
// connection's own commands (PING, HELLO, CLIENT, INFO, ...), send the rest through the node's
// CommandService (the same path as gRPC and REST), and encode replies as Redis does. Layer L3
// beside server/ and rest/: it never touches the store, ring or router; node/ binds its port.
export { RespServer } from './server.js';
export type { RespNodeInfo, RespServerDeps, RespServerOptions } from './types.js';
export { RespParser, RespProtocolError, type ParserLimits } from './parser.js';
export { replyToResp } from './reply-to-resp.js';
export { COMMAND_NAMES } from './command-docs.js';
