#!/usr/bin/env node
// The gokv node: env + config.yml -> startNode() -> serve; SIGINT/SIGTERM stop it cleanly.
import { format } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { ConfigError, loadConfig } from '../../internal/config/index.js';
import { createLogger, parseLogLevel } from '../../internal/log/index.js';
import { startNode } from '../../internal/node/index.js';

/**
 * Node's process warnings as log lines, each once, instead of raw text on stderr that a JSON log
 * pipeline cannot read. DEP0123 (an IP address as the TLS server name) is what grpc-js does when
 * peers are dialled by IP, as they usually are: expected, so only at debug.
 */
function logProcessWarnings(log: ReturnType<typeof createLogger>): void {
  process.removeAllListeners('warning');
  const seen = new Set<string>();
  process.on('warning', (warning: Error & { code?: string }) => {
    const key = warning.code ?? warning.message;
    if (seen.has(key)) return;
    seen.add(key);
    if (warning.code === 'DEP0123') log.debug({ code: warning.code }, warning.message);
    else log.warn({ code: warning.code, warning: warning.name }, warning.message);
  });
}

/**
 * grpc-js's own log lines (`E 2026-... | No address added out of total 1 resolved` before
 * gokv's "cannot listen" error, say) as log lines too, for the same reason; GRPC_VERBOSITY still
 * picks which it writes.
 */
function logGrpcLines(log: ReturnType<typeof createLogger>): void {
  const grpcLog = log.child({ component: 'grpc-js' });
  grpc.setLogger({
    error: (...args: unknown[]) => grpcLog.warn(format(...args)),
    info: (...args: unknown[]) => grpcLog.info(format(...args)),
    debug: (...args: unknown[]) => grpcLog.debug(format(...args)),
  });
}

async function main(): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig({ env: process.env, cwd: process.cwd() });
  } catch (err) {
    process.stderr.write(`gokv: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const { config, warnings } = loaded;
  const log = createLogger({ level: parseLogLevel(config.node.logLevel) });
  for (const warning of warnings) log.warn(warning);
  logProcessWarnings(log);
  logGrpcLines(log);

  // Signals are handled from before the node starts. One arriving while it restores its snapshot
  // ends the restore and the start: nothing binds, the file stays as it is. One arriving later
  // in the start stops the node as soon as it is up, never kills it mid-way.
  let node: Awaited<ReturnType<typeof startNode>> | undefined;
  let stopAsked: string | undefined;
  const starting = new AbortController();
  const stop = () => {
    node!.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: string) => {
    if (stopAsked !== undefined) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopAsked = signal;
    log.info({ signal }, 'stopping');
    if (node !== undefined) stop();
    else starting.abort();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  try {
    node = await startNode(config, { log, signal: starting.signal });
  } catch (err) {
    if (err !== starting.signal.reason) throw err;
    log.info('gokv node stopped before serving');
    return 0;
  }
  if (stopAsked !== undefined) stop();
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`gokv: ${err instanceof Error ? err.message : String(err)}\n`);
    // A bad TLS file is found when the node starts, but is as much a configuration error as a
    // bad key in config.yml: the same exit code 2.
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  },
);
