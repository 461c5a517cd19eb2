// config/ owns gokv's configuration: the named defaults, the config.yml and environment (and
// `.env`) layers, validation that reports every problem at once, and the frozen Config type.
// Layer L0: it may import only internal/errors (and internal/log types); never sockets, timers
// or other gokv folders. It never reads process.env: cmd/ passes the environment in.
export * from './types.js';
export * from './cluster-settings.js';
export * from './defaults.js';
export {
  MAX_TIMER_MS,
  parseDuration,
  parseSize,
  parseAddress,
  formatAddress,
  normalizeAddress,
  isWildcardHost,
  isLoopbackHost,
  parseSeeds,
  formatDuration,
  type HostPort,
} from './parse-units.js';
export { ConfigError } from './config-error.js';
export { ENV, CLI_ENV, KNOWN_ENV, envIgnoringDotenv, type EnvName } from './env-names.js';
export { loadConfig, readFileIfExists, type LoadOptions } from './load.js';
export { readSmallFile, MAX_SMALL_FILE_BYTES } from './bounded-read.js';
export { validate, findProblems, type Findings, type ValidateOptions } from './validate.js';
export { testConfig, TEST_NODE_ID } from './test-config.js';
export { GOKV_VERSION } from './version.js';
