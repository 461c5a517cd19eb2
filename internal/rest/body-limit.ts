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
  const parse = express.json({ limit: maxBytes, strict: true, type: () => true });
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

function refuse(res: Response): void {
  if (res.headersSent) return;
  const answer = errorAnswer({ status: 413, type: 'entity.too.large' });
  // Node closes the socket after this reply instead of reading the rest of the body.
  res.status(answer.status).set('Connection', 'close').json(answer.body);
}
