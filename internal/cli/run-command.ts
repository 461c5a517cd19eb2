import { CallFailure } from './call-errors.js';
import type { CliClient, CommandCall } from './client.js';
import { EXIT, UsageError, type ExitCode } from './exit-codes.js';
import type { Printer } from './output.js';

/** Commands that take no key; `run PING` sends an empty key (`run SNAPSHOT` is the raw form of `snapshot`). */
const KEYLESS = new Set(['PING', 'SNAPSHOT']);

/** `run CMD KEY [ARGS...]` from shell words (already unquoted by the shell) to a call. */
export function commandCallFromArgv(command: string, key: string | undefined, args: readonly string[]): CommandCall {
  const name = command.toUpperCase();
  if (key === undefined && !KEYLESS.has(name)) {
    throw new UsageError(`missing KEY: usage: gokv-cli run ${name} KEY [ARGS...]`);
  }
  return { command: name, key: key ?? '', args: args.map((arg) => Buffer.from(arg, 'utf8')) };
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
