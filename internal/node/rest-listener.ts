import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { formatAddress, parseAddress } from '../config/index.js';
import type { HttpsServerOptions } from '../tls/index.js';

/** The REST listener: bound early (its address is gossiped), serving the app once attached. */
export interface RestListener {
  /** The address actually bound (the real port when 0 was asked for). */
  readonly address: string;
  /** Starts serving `handler`; until then every request gets 503 "starting". */
  attach(handler: RequestListener): void;
  /** Stops accepting, closes idle keep-alive sockets, and cuts the rest after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const starting: RequestListener = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end('{"error":"UNAVAILABLE node is starting","code":"UNAVAILABLE"}');
};

/**
 * Binds http (or https when `tls` is given: external TLS, client certificates checked in the
 * handshake as `tls` says) on `bindAddr`; resolves once listening. Nothing is served but 503
 * until `attach`, so the port can be known before the rest of the node exists.
 */
export function startRestListener(bindAddr: string, tls: HttpsServerOptions | null): Promise<RestListener> {
  const { host, port } = parseAddress(bindAddr);
  let handler: RequestListener = starting;
  const dispatch: RequestListener = (req, res) => handler(req, res);
  const server: Server = tls === null ? createHttpServer(dispatch) : createHttpsServer({ ...tls }, dispatch);
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new Error(`cannot listen on ${bindAddr}: ${err.message}`, { cause: err }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const bound = (server.address() as AddressInfo).port;
      let stopped: Promise<void> | undefined;
      resolve({
        address: formatAddress({ host, port: bound }),
        attach(next) {
          handler = next;
        },
        stop(graceMs = 2000) {
          stopped ??= new Promise<void>((done) => {
            const force = setTimeout(() => server.closeAllConnections(), graceMs);
            force.unref();
            server.close(() => {
              clearTimeout(force);
              done();
            });
            server.closeIdleConnections();
          });
          return stopped;
        },
      });
    });
  });
}
