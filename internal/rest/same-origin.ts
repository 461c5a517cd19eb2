import type { NextFunction, Request, Response } from 'express';

/**
 * Refuses a request a browser sent from a page of another origin (cross-site request forgery).
 * Any web page can POST a "simple" request (text/plain or form-urlencoded, no CORS preflight) to
 * a loopback port, and the command routes read any body as JSON, so without this a page the user
 * merely visits could run FLUSHALL-like writes on a local node. Browsers mark such requests with
 * `Origin`; curl and client libraries send none, and same-origin pages (the dashboard) send this
 * server's own host, so both still pass. The reply cannot be read cross-origin (no CORS headers).
 */
export function sameOriginOnly(req: Request, res: Response, next: NextFunction): void {
  const origin = req.headers.origin;
  if (origin === undefined || hostOf(origin) === req.headers.host?.toLowerCase()) {
    next();
    return;
  }
  res.status(403).json({ error: 'ERR cross-origin request refused (this API serves no other web origin)', code: 'ERR' });
}

/** `host[:port]` of an Origin header, or null for `null` and anything that is not a URL. */
function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}
