/** gokv-cli's exit codes; scripts rely on them, so they never change meaning. */
export const EXIT = {
  /** The command ran and the server replied. */
  ok: 0,
  /** The server answered with an error reply (WRONGTYPE, ERR ...), or a session line failed. */
  replyError: 1,
  /** Bad flags or arguments; nothing was sent. */
  usage: 2,
  /** No answer: cannot connect, TLS failure, UNAVAILABLE after retries, deadline exceeded. */
  connection: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad flags, arguments or files named by flags: exit 2, nothing sent. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
