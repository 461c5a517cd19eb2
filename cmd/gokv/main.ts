#!/usr/bin/env node
// The gokv node: env + config.yml -> startNode() -> serve; SIGINT/SIGTERM stop it cleanly.
import { loadConfig } from '../../internal/config/index.js';
import { createLogger, parseLogLevel } from '../../internal/log/index.js';
import { startNode } from '../../internal/node/index.js';

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

  // Signals are handled from before the node starts: one arriving while it starts (after its
  // ready line, before startNode returns) stops it as soon as it is up, never kills it mid-way.
  let node: Awaited<ReturnType<typeof startNode>> | undefined;
  let stopAsked: string | undefined;
  const stop = (signal: string) => {
    log.info({ signal }, 'stopping');
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
    if (node !== undefined) stop(signal);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  node = await startNode(config, { log });
  if (stopAsked !== undefined) stop(stopAsked);
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`gokv: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
