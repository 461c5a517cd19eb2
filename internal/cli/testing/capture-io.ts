import { Readable } from 'node:stream';
import type { CliIo } from '../io.js';

export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

/** An io for runCli that records what it writes; stdin, when given, is these lines. */
export function captureIo(options: { env?: Record<string, string | undefined>; stdinLines?: string[]; isTTY?: boolean } = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    // No HOME: an interactive test never writes a history file.
    env: options.env ?? {},
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk) },
    ...(options.stdinLines !== undefined && { stdin: Readable.from([options.stdinLines.map((l) => `${l}\n`).join('')]) }),
    isTTY: options.isTTY ?? false,
    out: () => out,
    err: () => err,
  };
}
