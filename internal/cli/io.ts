/** The process surface runCli may touch; cmd/ passes the real one, tests pass buffers. */
export interface WritableLike {
  write(chunk: string): unknown;
}

export interface CliIo {
  /** The environment (cmd/ merges `.env` from the cwd underneath process.env). */
  env: Record<string, string | undefined>;
  stdout: WritableLike;
  stderr: WritableLike;
  /** Lines for a session when no subcommand is given. */
  stdin?: NodeJS.ReadableStream;
  /** True when stdin is a terminal: a session is interactive (prompt, history). */
  isTTY: boolean;
}

/** Whether a writer is a real stream readline can draw a prompt on. */
export function isWritableStream(out: WritableLike): out is NodeJS.WritableStream {
  const candidate = out as Partial<NodeJS.WritableStream>;
  return typeof candidate.on === 'function' && typeof candidate.once === 'function';
}
