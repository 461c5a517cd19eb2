import type { DecodedReply } from '../wire/index.js';
import type { CallFailure } from './call-errors.js';
import { formatHuman } from './format-human.js';
import { formatJson, toJson } from './format-json.js';
import type { CliIo } from './io.js';

/** Writes replies to stdout and failures to stderr, as redis-cli text or as JSON. */
export interface Printer {
  reply(reply: DecodedReply): void;
  failure(failure: CallFailure | string): void;
  /** A local problem worded as redis-cli words it, without `(error)` (`Invalid argument(s)`). */
  problem(message: string): void;
}

/** `pretty` indents JSON (one-shot `run`); sessions print one JSON document per line. */
export function createPrinter(io: CliIo, json: boolean, pretty: boolean): Printer {
  return {
    reply(reply) {
      io.stdout.write(json ? formatJson(toJson(reply), pretty) : formatHuman(reply));
    },
    failure(failure) {
      const message = typeof failure === 'string' ? failure : failure.message;
      io.stderr.write(json ? formatJson({ error: message }, false) : `(error) ${message}\n`);
    },
    problem(message) {
      io.stderr.write(json ? formatJson({ error: message }, false) : `${message}\n`);
    },
  };
}
