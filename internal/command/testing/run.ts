import { isGokvError } from '../../errors/index.js';
import type { Store } from '../../store/index.js';
import { executeCommand } from '../execute.js';
import type { BinStr, Reply } from '../reply.js';
import type { CommandResult, ExecuteOptions } from '../spec.js';

/** Splits `HSET k f v` into gokv's request shape: name, key (first argument), rest. */
export function request(line: string): { name: string; key: BinStr; args: BinStr[] } {
  const [name = '', key = '', ...args] = line.split(' ').filter((w) => w !== '');
  return { name, key, args };
}

/** Runs a space-separated command line (no quoting: tests use plain words). */
export function exec(store: Store, line: string, options?: ExecuteOptions): CommandResult {
  return executeCommand(store, request(line), options);
}

/** The reply of a command line, or `ERROR <message>` when it throws a GokvError. */
export function reply(store: Store, line: string, options?: ExecuteOptions): Reply | string {
  try {
    return exec(store, line, options).reply;
  } catch (err) {
    if (isGokvError(err)) return `ERROR ${err.message}`;
    throw err;
  }
}

/** Runs each line in order and returns the last reply (setup followed by the step under test). */
export function replies(store: Store, lines: readonly string[]): Array<Reply | string> {
  return lines.map((l) => reply(store, l));
}
