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

  const node = await startNode(config, { log });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    node.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
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
