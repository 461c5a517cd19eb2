import { CallFailure } from './call-errors.js';
import type { CliClient, CommandCall } from './client.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { Printer } from './output.js';

/**
 * `run CMD [KEY [ARGS...]]` from shell words (already unquoted by the shell) to a call. No key
 * is sent as the empty key: the node knows which commands need none (PING, DBSIZE, FLUSHALL,
 * SNAPSHOT) and answers the others with their arity error, as redis-cli shows it.
 */
export function commandCallFromArgv(command: string, key: string | undefined, args: readonly string[]): CommandCall {
  return commandCall(command, key, args.map((arg) => Buffer.from(arg, 'utf8')));
}

/** Node-wide commands that take no key, where the empty key would mean no argument at all. */
const KEYLESS = new Set(['DBSIZE', 'FLUSHALL', 'FLUSHDB', 'SNAPSHOT']);

/**
 * The call for a command, its first word (the key) and the rest. An empty key means none over
 * gRPC, but `FLUSHALL ""` is not `FLUSHALL`: for these commands an empty word is sent as an
 * argument, so the node refuses it as redis-cli's server would.
 */
export function commandCall(command: string, key: string | undefined, args: Buffer[]): CommandCall {
  const name = command.toUpperCase();
  if (key === '' && KEYLESS.has(name)) return { command: name, key: '', args: [Buffer.alloc(0), ...args] };
  return { command: name, key: key ?? '', args };
}

/** Sends one command and prints its reply; the result is the exit code. */
export async function runCommand(client: CliClient, call: CommandCall, printer: Printer): Promise<ExitCode> {
  try {
    printer.reply(await client.run(call));
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof CallFailure)) throw err;
    printer.failure(err);
    return err.kind === 'connection' ? EXIT.connection : EXIT.replyError;
  }
}
