/**
 * The one error class of gokv. `code` is a closed set; the message starts with the code, as Redis
 * error replies do (`WRONGTYPE Operation against ...`); LIMIT and UNCERTAIN messages start with
 * `ERR` as Redis would word them. Only the edges (wire/, rest/, cli/) map codes to transport
 * statuses; across an internal hop the code travels beside the message.
 */
export const ERROR_CODES = [
  /** Generic client error: arity, syntax, unknown command, value out of range. */
  'ERR',
  /** The key holds another type than the command works on. */
  'WRONGTYPE',
  /** Over `memory.max_memory` with `noeviction`. */
  'OOM',
  /** No node that may serve the key can be reached now; retryable. */
  'UNAVAILABLE',
  /** The write may or may not have been applied (replication did not confirm in time). */
  'UNCERTAIN',
  /** Over a configured limit (argument count, value size, message size). */
  'LIMIT',
  /** A cluster-internal error: a bug or an invariant broken. */
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class GokvError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GokvError';
    this.code = code;
  }

  /** Rebuilds an error from its wire form (`CODE message`), keeping the code across a hop. */
  static fromWire(text: string): GokvError {
    const space = text.indexOf(' ');
    const head = space < 0 ? text : text.slice(0, space);
    const code = (ERROR_CODES as readonly string[]).includes(head) ? (head as ErrorCode) : 'ERR';
    return new GokvError(code, code === head ? text : `ERR ${text}`);
  }
}

export const isGokvError = (err: unknown): err is GokvError => err instanceof GokvError;

// Constructors for the messages Redis users know by heart.
export const wrongType = (): GokvError =>
  new GokvError('WRONGTYPE', 'WRONGTYPE Operation against a key holding the wrong kind of value');
export const wrongArity = (command: string): GokvError =>
  new GokvError('ERR', `ERR wrong number of arguments for '${command.toLowerCase()}' command`);
export const unknownCommand = (command: string): GokvError =>
  new GokvError('ERR', `ERR unknown command '${printable(command)}'`);
/**
 * Redis 7's reply to a subcommand it does not know (OBJECT FOO): the name as sent, cut at 128
 * bytes, line breaks made spaces; the command upper case.
 */
export const unknownSubcommand = (command: string, sub: string): GokvError =>
  new GokvError('ERR', `ERR unknown subcommand '${sub.slice(0, 128).replace(/[\r\n]/g, ' ')}'. Try ${command.toUpperCase()} HELP.`);
/** Redis's reply to an argument or stored value that is not a float (INCRBYFLOAT). */
export const notFloat = (): GokvError => new GokvError('ERR', 'ERR value is not a valid float');
export const notInteger = (): GokvError =>
  new GokvError('ERR', 'ERR value is not an integer or out of range');
export const syntaxError = (): GokvError => new GokvError('ERR', 'ERR syntax error');
/** Redis 7's words, its final period included (redis-server sends it). */
export const outOfMemory = (): GokvError =>
  new GokvError('OOM', "OOM command not allowed when used memory > 'maxmemory'.");
export const unavailable = (detail: string): GokvError =>
  new GokvError('UNAVAILABLE', `UNAVAILABLE ${detail}`);
export const overLimit = (detail: string): GokvError => new GokvError('LIMIT', `ERR ${detail}`);

/** A write that could grow its key past what one message carries (see store's maxKeyBytes). */
export const keyTooLarge = (): GokvError =>
  overLimit('key would exceed maximum allowed size (limits.max_message_bytes): a key must fit one message to be replicated and moved');

/** Keeps user-controlled text in error messages short and free of control characters. */
export function printable(text: string, max = 64): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\x00-\x1f\x7f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

/** Any thrown value as a GokvError: unknown exceptions become INTERNAL, never leak a stack. */
export function toGokvError(err: unknown): GokvError {
  if (err instanceof GokvError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new GokvError('INTERNAL', `INTERNAL ${message}`, { cause: err });
}
