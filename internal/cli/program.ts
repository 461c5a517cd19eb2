import { Command, CommanderError, Option } from 'commander';
import { GOKV_VERSION } from '../config/index.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { DEFAULT_TIMEOUT_MS, DEFAULT_URI, type RawFlags } from './options.js';
import { SNAPSHOT_TIMEOUT_MS } from './snapshot-command.js';

/** What the command line asks for, before any option is validated or file read. */
export type Plan =
  | { kind: 'session'; flags: RawFlags }
  | { kind: 'status'; flags: RawFlags }
  | { kind: 'explain'; flags: RawFlags; key: string }
  | { kind: 'snapshot'; flags: RawFlags }
  | { kind: 'run'; flags: RawFlags; command: string; key: string | undefined; args: string[] };

/** The connection flags; accepted before the subcommand and right after it. */
function addConnectionOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--uri <host:port>', `server address (env GOKV_CLIENT_URI, default ${DEFAULT_URI})`))
    .addOption(new Option('--json', 'print replies as JSON'))
    .addOption(new Option('--ca <file>', 'CA certificate (PEM) to verify the server; turns TLS on (env GOKV_CLIENT_CA)'))
    .addOption(new Option('--cert <file>', 'client certificate (PEM) for mutual TLS (env GOKV_CLIENT_CERT)'))
    .addOption(new Option('--key <file>', 'client private key (PEM) for mutual TLS (env GOKV_CLIENT_KEY)'))
    .addOption(new Option('--timeout <ms>', `deadline of a command, retries included (default ${DEFAULT_TIMEOUT_MS}; snapshot ${SNAPSHOT_TIMEOUT_MS})`));
}

/**
 * Parses argv with commander, writing help and usage errors to io. Returns the plan, or the
 * exit code when commander already answered (--help: 0, a usage error: 2).
 */
export async function parseArgv(argv: readonly string[], io: CliIo): Promise<Plan | number> {
  let plan: Plan | undefined;
  const program = addConnectionOptions(new Command('gokv-cli'))
    .description('Client of a gokv cluster. Without a command: a prompt (or the lines of stdin).')
    .version(GOKV_VERSION, '--version', 'print the version')
    .enablePositionalOptions()
    .allowExcessArguments(true)
    .showHelpAfterError('(gokv-cli --help shows the usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
    })
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 error reply, 2 usage, 3 no connection (TLS, UNAVAILABLE, deadline).\n' +
        'A .env file in the current directory may set the GOKV_CLIENT_* variables.',
    );
  const merged = (sub: Command): RawFlags => ({ ...(program.opts() as RawFlags), ...dropUndefined(sub.opts() as RawFlags) });

  program.action(() => {
    const extra = program.args[0];
    if (extra !== undefined) program.error(`error: unknown command '${extra}'`, { exitCode: EXIT.usage });
    plan = { kind: 'session', flags: program.opts() as RawFlags };
  });
  const status = addConnectionOptions(program.command('status'))
    .allowExcessArguments(false)
    .description("show the cluster's members and ring version, as the contacted node sees them")
    .action(() => {
      plan = { kind: 'status', flags: merged(status) };
    });
  const explain = addConnectionOptions(program.command('explain'))
    .allowExcessArguments(false)
    .description("show where a key lives: leader, replicas, type, TTL (never its value)")
    .argument('<key>', 'the key')
    .action((key: string) => {
      plan = { kind: 'explain', flags: merged(explain), key };
    });
  const snapshot = addConnectionOptions(program.command('snapshot'))
    .allowExcessArguments(false)
    .description('write a snapshot of the contacted node now; print its path, size, keys and duration')
    .action(() => {
      plan = { kind: 'snapshot', flags: merged(snapshot) };
    });
  const run = addConnectionOptions(program.command('run'))
    .description('run one command, e.g. run HSET user:1 name ada (PING, DBSIZE and FLUSHALL need no key)')
    .argument('<cmd>', 'command name (case-insensitive)')
    .argument('[key]', 'the key (for SCAN: the cursor)')
    .argument('[args...]', 'further arguments, sent as UTF-8 bytes')
    .passThroughOptions()
    .allowUnknownOption()
    .action((command: string, key: string | undefined, args: string[]) => {
      // No command starts with '-': a flag misplaced after `run` (found by a review: `run --bogus
      // PING` sent a command named --BOGUS). Arguments after the name may (negative numbers).
      if (command.startsWith('-')) run.error(`error: unknown option '${command}' (flags go before 'run')`, { exitCode: EXIT.usage });
      plan = { kind: 'run', flags: merged(run), command, key, args };
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw err;
  }
  return plan ?? EXIT.ok;
}

function dropUndefined(flags: RawFlags): RawFlags {
  return Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) as RawFlags;
}
