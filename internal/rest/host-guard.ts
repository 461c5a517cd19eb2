import { isIP } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** What a Host header may hold: a name or an address and a port, nothing else (no `@`, `/`). */
const HOST_HEADER = /^[a-z0-9._-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

/**
 * For a REST server bound to loopback: answers only requests whose Host is an IP address,
 * `localhost` (or `*.localhost`) or one of `names`, refusing the rest with 403 before they run.
 * A web page can make a browser reach a loopback port under its own domain name by pointing that
 * name at 127.0.0.1 (DNS rebinding): same-origin for the browser, so it could read replies
 * (HGETALL) and write. The Host it sends is then the attacker's name, never one of these. A
 * request without Host (HTTP/1.0, no browser) passes.
 */
export function loopbackHostGuard(names: readonly string[]): RequestHandler {
  const allowed = new Set(names.map((n) => n.toLowerCase()));
  return (req: Request, res: Response, next: NextFunction) => {
    const host = req.headers.host;
    if (host === undefined || hostAllowed(host, allowed)) {
      next();
      return;
    }
    res.status(403).json({
      error:
        'ERR request refused: its Host is not this loopback-bound node (localhost, an IP address, ' +
        'or the host of GOKV_EXTERNAL_REST_ADVERTISE_ADDR), as a web page rebinding a DNS name would send',
      code: 'ERR',
    });
  };
}

function hostAllowed(host: string, names: ReadonlySet<string>): boolean {
  if (!HOST_HEADER.test(host)) return false;
  const name = host.toLowerCase().replace(/:\d+$/, '');
  const bare = name.startsWith('[') ? name.slice(1, -1) : name;
  return isIP(bare) !== 0 || bare === 'localhost' || bare.endsWith('.localhost') || names.has(bare);
}
