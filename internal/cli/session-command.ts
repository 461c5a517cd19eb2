import { isUtf8 } from 'node:buffer';
import { createInterface } from 'node:readline';
import { CallFailure } from './call-errors.js';
import type { CliClient } from './client.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { historyPath, loadHistory, saveHistory } from './history-file.js';
import { isWritableStream, type CliIo } from './io.js';
import type { Printer } from './output.js';
import { commandCall } from './run-command.js';
import { SESSION_HELP } from './session-help.js';
import { splitArgs } from './split-args.js';

type LineOutcome = 'ok' | 'failed' | 'connection' | 'quit';

/**
 * `gokv-cli` without a subcommand. On a terminal: a `host:port> ` prompt with history, errors
 * shown and the prompt kept; Ctrl-C or Ctrl-D at the prompt ends it (exit 0), Ctrl-C during a
 * call cancels the call and ends it with exit 1, as redis-cli does. Otherwise the lines of stdin run one after another (scripts):
 * the exit code is 1 if any line failed, 3 at the first line that got no answer (the rest is
 * not sent).
 */
export async function sessionCommand(client: CliClient, uri: string, io: CliIo, printer: Printer): Promise<ExitCode> {
  const input = io.stdin;
  if (input === undefined) return EXIT.usage;
  const runLine = (line: string | Buffer, signal?: AbortSignal) => handleLine(client, line, io, printer, signal);
  return io.isTTY ? interactive(input, uri, io, runLine) : scripted(input, runLine);
}

async function interactive(
  input: NodeJS.ReadableStream,
  uri: string,
  io: CliIo,
  runLine: (line: string, signal: AbortSignal) => Promise<LineOutcome>,
): Promise<ExitCode> {
  const path = historyPath(io.env);
  const past = await loadHistory(path);
  const terminal = isWritableStream(io.stdout);
  const rl = createInterface({
    input,
    ...(terminal && { output: io.stdout as NodeJS.WritableStream }),
    terminal,
    history: [...past].reverse(),
    historySize: 1000,
    removeHistoryDuplicates: true,
    prompt: `${uri}> `,
  });
  const showPrompt = () => (terminal ? rl.prompt() : io.stdout.write(`${uri}> `));
  // The line running now; Ctrl-C cancels it rather than wait out its deadline.
  let running: AbortController | undefined;
  rl.on('SIGINT', () => {
    running?.abort();
    rl.close();
  });
  const entered: string[] = [];
  let code: ExitCode = EXIT.ok;
  showPrompt();
  for await (const line of rl) {
    if (line.trim() !== '') entered.push(line);
    running = new AbortController();
    const outcome = await runLine(line, running.signal);
    if (running.signal.aborted) code = EXIT.replyError;
    running = undefined;
    if (outcome === 'quit' || code !== EXIT.ok) break;
    showPrompt();
  }
  rl.close();
  await saveHistory(path, [...past, ...entered]);
  return code;
}

async function scripted(input: NodeJS.ReadableStream, runLine: (line: Buffer) => Promise<LineOutcome>): Promise<ExitCode> {
  let failed = false;
  for await (const line of byteLines(input)) {
    const outcome = await runLine(line);
    if (outcome === 'quit') break;
    if (outcome === 'connection') return EXIT.connection;
    if (outcome === 'failed') failed = true;
  }
  return failed ? EXIT.replyError : EXIT.ok;
}

/**
 * The lines of a piped stdin as bytes (split at \n, a \r before it dropped), never decoded as
 * UTF-8: a value piped in may be any bytes, as with redis-cli (readline turned each byte of an
 * invalid sequence into the three bytes of U+FFFD).
 */
async function* byteLines(input: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  const line = (): Buffer => {
    const bytes = Buffer.concat(parts);
    parts = [];
    return bytes.at(-1) === 0x0d ? bytes.subarray(0, -1) : bytes;
  };
  for await (const chunk of input) {
    let data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (let end = data.indexOf(0x0a); end >= 0; end = data.indexOf(0x0a)) {
      parts.push(data.subarray(0, end));
      yield line();
      data = data.subarray(end + 1);
    }
    if (data.length > 0) parts.push(data);
  }
  if (parts.length > 0) yield line();
}

/** One line: split with redis-cli's quoting, then a built-in (quit, exit, help) or a command. */
async function handleLine(client: CliClient, line: string | Buffer, io: CliIo, printer: Printer, signal?: AbortSignal): Promise<LineOutcome> {
  const tokens = splitArgs(line);
  if (tokens === null) {
    printer.problem('Invalid argument(s)');
    return 'failed';
  }
  const [first, key, ...args] = tokens;
  if (first === undefined) return 'ok';
  const name = first.toString('utf8');
  const lower = name.toLowerCase();
  if (lower === 'quit' || lower === 'exit') return 'quit';
  if (lower === 'help') {
    io.stdout.write(SESSION_HELP);
    return 'ok';
  }
  if (key !== undefined && !isUtf8(key)) {
    printer.failure('ERR keys must be valid UTF-8 over gRPC (values and fields may be any bytes)');
    return 'failed';
  }
  try {
    printer.reply(await client.run(commandCall(name, key?.toString('utf8'), args), signal));
    return 'ok';
  } catch (err) {
    if (!(err instanceof CallFailure)) throw err;
    printer.failure(err);
    return err.kind === 'connection' ? 'connection' : 'failed';
  }
}
