import type * as grpc from '@grpc/grpc-js';
import { CallFailure } from './call-errors.js';
import { createCliClient } from './client.js';
import { buildCredentials } from './credentials.js';
import { EXIT, UsageError } from './exit-codes.js';
import type { CliIo } from './io.js';
import { resolveOptions, type CliOptions } from './options.js';
import { createPrinter } from './output.js';
import { parseArgv, type Plan } from './program.js';
import { explainCommand } from './explain-command.js';
import { commandCallFromArgv, runCommand } from './run-command.js';
import { sessionCommand } from './session-command.js';
import { SNAPSHOT_TIMEOUT_MS, snapshotCommand } from './snapshot-command.js';
import { PEER_STATUS_TIMEOUT_MS, statusCommand } from './status-command.js';
import { probeTls, type TlsFiles } from './tls-probe.js';
import { probeProtocol } from './protocol-probe.js';

/**
 * gokv-cli as a function: parses argv, talks to the server, writes to io and returns the exit
 * code (0 ok, 1 error reply, 2 usage, 3 connection/TLS). It never touches process.*.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const plan = await parseArgv(argv, io);
  if (typeof plan === 'number') return plan;
  const prepared = await prepare(plan, io);
  if (prepared === undefined) return EXIT.usage;
  const { options, credentials, files } = prepared;

  const clientFor = (uri: string, timeoutMs = options.timeoutMs) =>
    createCliClient({
      uri,
      timeoutMs,
      usesTls: options.tls !== undefined,
      hasClientCert: options.tls?.cert !== undefined,
      credentials,
      ...(files !== undefined && { tlsProbe: () => probeTls(uri, files) }),
      protocolProbe: () => probeProtocol(uri, files),
    });
  // A snapshot may take longer than a command: its own default deadline unless --timeout is given.
  const client = plan.kind === 'snapshot' && plan.flags.timeout === undefined ? clientFor(options.uri, SNAPSHOT_TIMEOUT_MS) : clientFor(options.uri);
  const printer = createPrinter(io, options.json, plan.kind !== 'session');
  try {
    switch (plan.kind) {
      case 'run':
        warnReplacementChars(plan.key, plan.args, io);
        return await runCommand(client, commandCallFromArgv(plan.command, plan.key, plan.args), printer);
      case 'status':
        return await statusCommand(client, options.json, io, printer, (uri) => clientFor(uri, Math.min(options.timeoutMs, PEER_STATUS_TIMEOUT_MS)));
      case 'explain':
        return await explainCommand(client, plan.key, options.json, io, printer);
      case 'snapshot':
        return await snapshotCommand(client, options.json, io, printer);
      case 'session':
        return await sessionCommand(client, options.uri, io, printer);
    }
  } catch (err) {
    // A bug, not a reply: say so briefly rather than print a stack at the user.
    printer.failure(err instanceof CallFailure ? err : `INTERNAL ${err instanceof Error ? err.message : String(err)}`);
    return EXIT.replyError;
  } finally {
    client.close();
  }
}

/** Everything that can be wrong before connecting: flags, arguments, TLS files. */
async function prepare(
  plan: Plan,
  io: CliIo,
): Promise<{ options: CliOptions; credentials: grpc.ChannelCredentials; files: TlsFiles | undefined } | undefined> {
  try {
    const options = resolveOptions(plan.flags, io.env);
    if (plan.kind === 'session' && io.stdin === undefined) throw new UsageError('no command given and no input to read');
    return { options, ...(await buildCredentials(options.tls)) };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`gokv-cli: ${err.message}\n`);
    return undefined;
  }
}

/**
 * Node decodes the command line as UTF-8 before gokv-cli sees it, so bytes that are not UTF-8
 * arrive as U+FFFD and would be sent as EF BF BD (found by a review: keys "k\\xfe" and "k\\xff"
 * were one key). They cannot be recovered here; the user is told where binary data goes.
 */
function warnReplacementChars(key: string | undefined, args: readonly string[], io: CliIo): void {
  if (![key ?? '', ...args].some((word) => word.includes('\uFFFD'))) return;
  io.stderr.write(
    'gokv-cli: warning: an argument holds U+FFFD, what bytes that are not UTF-8 become on a command line; ' +
      'it is sent as EF BF BD. Pipe commands on stdin for binary data (gokv-cli < file, with "\\xff" escapes).\n',
  );
}
