/**
 * loadConfig: defaults < config.yml < `.env` < environment, validated once, frozen. The
 * environment is a parameter (only cmd/ reads process.env); files are read through `readFile`
 * so tests can hand in their own.
 */
import { join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError } from './config-error.js';
import { deepFreeze, deepMerge, type Mutable } from './deep.js';
import { DEFAULT_CONFIG, DEFAULT_CONFIG_PATH } from './defaults.js';
import { ENV } from './env-names.js';
import { readSmallFile } from './bounded-read.js';
import { applyConfigFile } from './read-file.js';
import { applyEnvironment } from './read-env.js';
import type { Config, LoadResult } from './types.js';
import { findProblems } from './validate.js';

export interface LoadOptions {
  /** The process environment (`process.env` in cmd/); undefined values count as unset. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory that `.env`, the default config.yml and relative paths are found in. */
  readonly cwd: string;
  /** Reads a UTF-8 file; returns null when it does not exist. Defaults to the file system. */
  readonly readFile?: (path: string) => string | null;
}

/** Reads a UTF-8 file, or null if there is none; other failures (EACCES, EISDIR, EFBIG) throw. */
export function readFileIfExists(path: string): string | null {
  try {
    return readSmallFile(path).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Builds the node's Config. Throws one ConfigError listing every problem (unknown keys, bad
 * values, out-of-range numbers, bad addresses, incomplete TLS); returns the warnings (retired
 * keys, unknown `GOKV_*` variables) for the caller to log.
 */
export function loadConfig(options: LoadOptions): LoadResult {
  const { env } = options;
  const cwd = resolve(options.cwd);
  const readFile = options.readFile ?? readFileIfExists;
  const problems: string[] = [];
  const warnings: string[] = [];
  const origins = new Map<string, string>();

  // `.env` first: it may name the config file. Real variables win, even when set but empty.
  const vars = new Map<string, string>();
  try {
    const dotenvText = readFile(join(cwd, '.env'));
    for (const [name, value] of Object.entries(dotenvText === null ? {} : parseDotenv(dotenvText))) {
      if (env[name] === undefined) {
        vars.set(name, value);
        origins.set(name, '.env');
      }
    }
  } catch (err) {
    problems.push(`.env: cannot read: ${reason(err)}`);
  }
  for (const [name, value] of Object.entries(env)) if (value !== undefined) vars.set(name, value);

  const draft = deepMerge(DEFAULT_CONFIG, undefined) as Mutable<Config>;
  const givenPath = vars.get(ENV.configPath)?.trim() ?? '';
  const file = givenPath === '' ? DEFAULT_CONFIG_PATH : givenPath;
  draft.node.configPath = resolve(cwd, file);
  let skip = new Set<string>();
  try {
    const text = readFile(draft.node.configPath);
    if (text === null && givenPath !== '') {
      const where = origins.has(ENV.configPath) ? ' (from .env)' : '';
      problems.push(`${ENV.configPath}: no such file: ${draft.node.configPath}${where}`);
    } else if (text !== null) {
      const layer = applyConfigFile(text, file, draft);
      problems.push(...layer.problems);
      warnings.push(...layer.warnings);
      for (const [key, origin] of layer.origins) origins.set(key, origin);
      skip = layer.failed;
    }
  } catch (err) {
    problems.push(`${file}: cannot read: ${reason(err)}`);
  }

  const envLayer = applyEnvironment(vars, cwd, draft, origins);
  problems.push(...envLayer.problems);
  warnings.push(...envLayer.warnings);
  const findings = findProblems(draft, { origins, skip: new Set([...skip, ...envLayer.failed]) });
  problems.push(...findings.problems);
  warnings.push(...findings.warnings);

  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return { config: deepFreeze(draft as Config), warnings };
}
