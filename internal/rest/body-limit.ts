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
export function boundedJson(maxBytes: number): RequestHandler {
  const parse = express.json({ limit: maxBytes, strict: true, type: () => true, verify: checkBody });
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

/** Deeper than any body gokv reads ({"args": [...]} is 2), far below what stalls JSON.parse. */
export const MAX_JSON_DEPTH = 32;

/**
 * Runs on the raw body before it is parsed (body-parser's verify). Found by a review:
 * - bytes that are not UTF-8 were decoded as U+FFFD, so keys "\xff" and "\xfe" were one key and
 *   a value's bytes were changed, silently: refused (binary goes as base64);
 * - 10 MB of `[[[...` held the event loop 5 s in JSON.parse (64 MB: 36 s, and the peers declared
 *   the node dead): nesting past MAX_JSON_DEPTH is refused by one linear scan first.
 */
function checkBody(_req: unknown, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw parserError('entity.verify.utf8');
  // A bare string, number or null is valid JSON but no request: said so, not "malformed".
  const first = body.find((c) => c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09);
  if (first !== undefined && first !== OPEN_OBJECT && first !== OPEN_ARRAY) throw parserError('entity.verify.object');
  if (nestedDeeperThan(body, MAX_JSON_DEPTH)) throw parserError('entity.verify.depth');
}

const parserError = (type: string) => Object.assign(new Error(type), { status: 400, type });

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** Whether brackets outside strings nest deeper than `max` (malformed JSON is the parser's to refuse). */
export function nestedDeeperThan(body: Uint8Array, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === QUOTE) {
      // Skip the string: to the next quote that no backslash escapes.
      for (i++; i < body.length && body[i] !== QUOTE; i++) if (body[i] === BACKSLASH) i++;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

function refuse(res: Response): void {
  if (res.headersSent) return;
  const answer = errorAnswer({ status: 413, type: 'entity.too.large' });
  // Node closes the socket after this reply instead of reading the rest of the body.
  res.status(answer.status).set('Connection', 'close').json(answer.body);
}
