/**
 * The error a bad configuration raises: every problem found, one per line. A plain Error, not a
 * GokvError: it goes to an operator's terminal, never to a client, so no Redis code prefixes it
 * (found by a review: `gokv: invalid configuration`).
 */
export class ConfigError extends Error {
  /** Each problem names its key or variable and, when it came from a file, the file. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`invalid configuration (${count}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = Object.freeze([...problems]);
  }
}

/** Where a setting came from, for messages: `config.yml`, `.env`, or undefined (environment/code). */
export type Origins = ReadonlyMap<string, string>;

/** `config.yml: memory.max_memory: expected ...`, or `GOKV_LOG_LEVEL: expected ...` from the environment. */
export const describe = (label: string, message: string, origins?: Origins): string => {
  const origin = origins?.get(label);
  return origin === undefined ? `${label}: ${message}` : `${origin}: ${label}: ${message}`;
};
