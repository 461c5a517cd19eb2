#!/usr/bin/env node
// gokv-cli: the only place that reads process.env/argv and sets the exit code; the rest is
// internal/cli's runCli, which tests call in-process.
import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { runCli } from '../../internal/cli/index.js';

/** process.env over the `.env` of the cwd (which never overrides a variable already set). */
function environment(): Record<string, string | undefined> {
  let fromFile: Record<string, string> = {};
  try {
    fromFile = parse(readFileSync('.env'));
  } catch {
    // No .env (or unreadable): the environment alone.
  }
  return { ...fromFile, ...process.env };
}

// grpc-js sets the TLS server name to the target even when it is an IP address, which makes
// Node print a DEP0123 warning at the user on every TLS connection to an IP.
process.noDeprecation = true;

// A reader that went away (`gokv-cli status | head -1`) ends the CLI quietly, as with redis-cli,
// instead of an unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  env: environment(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  isTTY: process.stdin.isTTY === true,
});
