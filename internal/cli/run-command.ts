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
  return { command: command.toUpperCase(), key: key ?? '', args: args.map((arg) => Buffer.from(arg, 'utf8')) };
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
