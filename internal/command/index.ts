// command/ owns the command table: parsing arguments, running each command on a store/ Store,
// Redis-typed replies and errors, and the effects replication ships. It is pure: it imports
// store/, errors/ and clock/ only; never ring/, wire/, router/ or anything with I/O.
export { checkLimits, executeCommand, executeSpec } from './execute.js';
export { COMMANDS, lookupCommand } from './table.js';
export { routingKey } from './spec.js';
export type {
  CommandContext,
  CommandFlags,
  CommandLimits,
  CommandRequest,
  CommandResult,
  CommandSpec,
  Effect,
  ExecuteOptions,
  ScanRange,
  SubcommandSpec,
} from './spec.js';
export { EncodedReply, OK, ReplyMap, ScanReply, Simple, type BinStr, type Reply } from './reply.js';
export { compileGlob } from './glob.js';
export { scanCountHint, scanPageKeyBytes } from './scan.js';
export { parseDurationMs } from './duration.js';
export { asciiUpper, parseInt64 } from './parse.js';
