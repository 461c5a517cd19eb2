import { isUtf8 } from 'node:buffer';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { errorAnswer } from './error-status.js';

/**
 * The JSON body parser, answering 413 as soon as a body is known to be over `maxBytes` (by its
 * Content-Length, or once that many bytes arrived) and closing the connection. body-parser alone
 * also answers 413, but only after reading the request to its end (it drains it to keep the
 * connection usable): a client learnt of the refusal only after uploading everything, and a
 * chunked body kept the node reading and discarding for as long as the client kept sending.
 * Bytes are counted as sent, so a compressed body is held to the limit before inflating too.
 * Any content type is read as JSON: `curl -d '{...}'` sends form-urlencoded by default, and the
 * Go gokv never looked at the header either.
 */
export function boundedJson(maxBytes: number, maxArgs: number): RequestHandler {
  const bounds: JsonBounds = { maxDepth: MAX_JSON_DEPTH, maxContainers: MAX_JSON_CONTAINERS, maxValues: maxArgs + 64 };
  const parse = express.json({ limit: maxBytes, strict: true, type: () => true, verify: bodyChecker(bounds) });
  return (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      refuse(res);
      return;
    }
    let received = 0;
    const count = (chunk: Buffer): void => {
      received += chunk.length;
      if (received <= maxBytes) return;
      req.off('data', count);
      refuse(res);
    };
    // Listening makes the request flow from the next tick on; the parser, called just below,
    // is listening by then and gets every chunk too.
    req.on('data', count);
    // Once refused here, the parser's own 413 (after the connection closed) has no one to answer.
    void parse(req, res, (err?: unknown) => (res.headersSent ? undefined : next(err)));
  };
}

/**
 * What a body's JSON may hold, past what any request needs (`{"command", "key", "args": [...]}`
 * is 2 deep, 2 containers and max_args + 3 values), far below what stalls JSON.parse. Found by
 * reviews: 10 MB of `[[[...` held the event loop 5 s (64 MB: 36 s, and the peers declared the node
 * dead), and 64 MB of `[],[],...` (or a 65 KB gzip of it) 17 s and 1.9 GB.
 */
export interface JsonBounds {
  readonly maxDepth: number;
  /** Arrays and objects in all. */
  readonly maxContainers: number;
  /** Values in all (commas + 1 per container). */
  readonly maxValues: number;
}

export const MAX_JSON_DEPTH = 32;
export const MAX_JSON_CONTAINERS = 1024;

/** Why a body's JSON is refused before it is parsed, if it is (body-parser's error type). */
export function shapeProblem(body: Uint8Array, bounds: JsonBounds): string | undefined {
  let i = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0; // a BOM, as body-parser skips it
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
  // A bare string, number or null is valid JSON but no request: said so, not "malformed".
  if (i < body.length && body[i] !== OPEN_OBJECT && body[i] !== OPEN_ARRAY) return 'entity.verify.object';
  let depth = 0;
  let containers = 0;
  let commas = 0;
  for (; i < body.length; i++) {
    const c = body[i]!;
    if (c === QUOTE) {
      // Skip the string: to the next quote that no backslash escapes.
      for (i++; i < body.length && body[i] !== QUOTE; i++) if (body[i] === BACKSLASH) i++;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > bounds.maxDepth) return 'entity.verify.depth';
      if (++containers > bounds.maxContainers) return 'entity.verify.size';
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    } else if (c === COMMA && ++commas + containers > bounds.maxValues) {
      return 'entity.verify.size';
    }
  }
  return undefined;
}

/**
 * Runs on the raw body before it is parsed (body-parser's verify): bytes that are not UTF-8
 * were decoded as U+FFFD, so keys "\xff" and "\xfe" were one key and a value's bytes were
 * changed, silently (found by a review): refused, binary goes as base64. Then its shape.
 */
function bodyChecker(bounds: JsonBounds) {
  return (_req: unknown, _res: unknown, body: Buffer): void => {
    if (!isUtf8(body)) throw parserError('entity.verify.utf8');
    const problem = shapeProblem(body, bounds);
    if (problem !== undefined) throw parserError(problem);
  };
}

const parserError = (type: string) => Object.assign(new Error(type), { status: 400, type });

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

function refuse(res: Response): void {
  if (res.headersSent) return;
  const answer = errorAnswer({ status: 413, type: 'entity.too.large' });
  // Node closes the socket after this reply instead of reading the rest of the body.
  res.status(answer.status).set('Connection', 'close').json(answer.body);
}
