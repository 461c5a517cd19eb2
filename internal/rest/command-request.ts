import { Buffer } from 'node:buffer';
import { GokvError, overLimit } from '../errors/index.js';
import { binFromBuffer, binFromText, flatCopy } from '../store/index.js';
import type { RestCommand } from './deps.js';
import type { RestEncoding } from './reply-json.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const badRequest = (message: string): GokvError => new GokvError('ERR', `ERR ${message}`);

/** A UTF-16 surrogate without its pair: JSON can escape one (`"\ud800"`), UTF-8 cannot hold it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text as bytes, refusing a lone surrogate: encoding would replace it by U+FFFD, silently storing
 * another value (and making distinct keys one).
 */
function textBytes(text: string, what: string, hint = ''): string {
  if (LONE_SURROGATE.test(text)) throw badRequest(`${what} holds a lone surrogate, which has no UTF-8 form${hint}`);
  return binFromText(text);
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function commandName(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest('"command" must be a non-empty string');
  return value.trim();
}

/** `"utf8"` (default) or `"base64"`, from a body field or a query parameter. */
export function parseEncoding(value: unknown, where: string): RestEncoding {
  if (value === undefined || value === 'utf8' || value === 'utf-8') return 'utf8';
  if (value === 'base64') return 'base64';
  throw badRequest(`${where} must be "utf8" or "base64"`);
}

/**
 * `POST /v1/command`: `{"command", "key"?, "args"?: [...], "encoding"?: "utf8"|"base64"}`.
 * The key is always text (gRPC keys are UTF-8 strings too). Args are text (numbers are taken as
 * their decimal text), or standard base64 when `encoding` is `base64`; the reply uses the same
 * encoding.
 */
export function parseV1Command(body: unknown, maxArgs: number): { command: RestCommand; encoding: RestEncoding } {
  const o = asObject(body);
  const name = commandName(o.command);
  const encoding = parseEncoding(o.encoding, '"encoding"');
  const key = o.key ?? '';
  if (typeof key !== 'string') throw badRequest('"key" must be a string');
  const rawArgs = o.args ?? [];
  if (!Array.isArray(rawArgs)) throw badRequest('"args" must be an array');
  if (rawArgs.length > maxArgs) {
    throw overLimit(`too many arguments (${rawArgs.length}) over limits.max_args (${maxArgs})`);
  }
  const args = rawArgs.map((arg: unknown, i) => {
    if (encoding === 'base64') {
      if (typeof arg !== 'string' || !BASE64.test(arg)) throw badRequest(`args[${i}] is not standard base64`);
      return binFromBuffer(Buffer.from(arg, 'base64'));
    }
    if (typeof arg === 'string') return textBytes(arg, `args[${i}]`, ' (send bytes as base64)');
    if (typeof arg === 'number' && Number.isFinite(arg)) return numberArg(arg, i);
    throw badRequest(`args[${i}] must be a string`);
  });
  return { command: { name, key: textBytes(key, '"key"'), args }, encoding };
}

/**
 * A JSON number arg as its decimal text. JSON.parse has already rounded it to a double, so a
 * magnitude of 2^53 or more may no longer be the number sent (9007199254740993 arrives as
 * ...992) and would be stored or added silently changed: refused. So is one String() writes with
 * an exponent (0.0000001 as 1e-7, found by a review), which is not the decimal text promised.
 * The client sends such numbers as strings.
 */
function numberArg(n: number, i: number): string {
  if (Math.abs(n) > Number.MAX_SAFE_INTEGER) {
    throw badRequest(`args[${i}] is a number past 2^53, which JSON cannot carry exactly: send it as a string`);
  }
  const text = String(n);
  if (text.includes('e')) throw badRequest(`args[${i}] is a number whose decimal text needs an exponent (${text}): send it as a string`);
  return text;
}

/**
 * `POST /command`, as in the Go gokv: `{"command": "HSET h f v"}` split on whitespace; the first
 * word is the command, the second the key, the rest the arguments (text only, no quoting).
 */
export function parseCompatCommand(body: unknown, maxArgs: number): RestCommand {
  const o = asObject(body);
  if (typeof o.command !== 'string') throw badRequest('"command" must be a string like "HSET key field value"');
  // split() gives windows onto the command text, each keeping all of it alive: a key stored so
  // would hold its first value's bytes after that value was replaced. Copied flat (past 12 chars).
  const words = o.command
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => (w.length > 12 ? flatCopy(w) : w));
  const [name, key = '', ...args] = words;
  if (name === undefined) throw badRequest('invalid command format: command, key, [args ...]');
  if (args.length > maxArgs) throw overLimit(`too many arguments (${args.length}) over limits.max_args (${maxArgs})`);
  return { name, key: textBytes(key, 'the key'), args: args.map((arg, i) => textBytes(arg, `argument ${i + 1}`)) };
}
