import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

const LEVELS: readonly string[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Normalises GOKV_LOG_LEVEL; unknown values fall back to info (reported by config/). */
export function parseLogLevel(value: string | undefined): LevelWithSilent {
  const level = (value ?? 'info').trim().toLowerCase();
  return (LEVELS.includes(level) ? level : 'info') as LevelWithSilent;
}

/**
 * The root logger: JSON lines on stdout (or the given stream). Components take
 * `log.child({ component: 'gossip' })`. Never log values or key material: `redact` is a last
 * line of defence for fields named like secrets.
 */
export function createLogger(
  options: { level?: LevelWithSilent; destination?: NodeJS.WritableStream } = {},
): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: {},
      redact: { paths: ['*.value', '*.values', '*.key_pem', '*.privateKey', '*.password'], censor: '[redacted]' },
    },
    options.destination ?? process.stdout,
  );
}

/** A logger that drops everything, for tests. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
