// cli/ owns gokv-cli: argv parsing, the gRPC client with retries, redis-cli-style and JSON
// output, the interactive/scripted session. It imports wire/, errors/ and gen/ types only;
// never server/, node/ or anything that starts a node. It never reads process.env/argv or
// sets exit codes: cmd/gokv-cli does, with what runCli returns.
export { runCli } from './run-cli.js';
export type { CliIo, WritableLike } from './io.js';
export { EXIT, type ExitCode } from './exit-codes.js';
export { formatHuman, quoteBytes } from './format-human.js';
export { formatJson, toJson, type JsonValue } from './format-json.js';
export { splitArgs } from './split-args.js';
