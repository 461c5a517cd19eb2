import { createServer as createHttpServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
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
  /**
   * Stops accepting and closes idle keep-alive sockets; requests in flight are answered with
   * `Connection: close` and their sockets closed once answered; a request that arrives meanwhile
   * on a kept-alive socket gets 503 "stopping". Whatever is still open after `graceMs` is cut.
   */
  stop(graceMs?: number): Promise<void>;
}

const starting: RequestListener = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end('{"error":"UNAVAILABLE node is starting","code":"UNAVAILABLE"}');
};

/** A request that reached a kept-alive socket after stop began: not run, and the socket closes. */
/** How long stop leaves idle kept-alive sockets open, for requests already sent on them. */
export const STOP_IDLE_WINDOW_MS = 250;

const stopping: RequestListener = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', connection: 'close' });
  res.end('{"error":"UNAVAILABLE node is stopping","code":"UNAVAILABLE"}');
};

/**
 * Bounds on REST clients (found by a review: 20,000 connections sending a body a byte every
 * 10 s took every file descriptor of the node, and each was held 325 s by Node's defaults).
 * Past `maxConnections` a new connection is closed at once; RESP and gRPC keep their own.
 */
export interface RestLimits {
  readonly maxConnections: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export const REST_LIMITS: RestLimits = Object.freeze({
  maxConnections: 1024,
  /** To receive a request's headers, and the whole request (a 64 MB body at 1 MB/s fits). */
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
});

/**
 * Binds http (or https when `tls` is given: external TLS, client certificates checked in the
 * handshake as `tls` says) on `bindAddr`; resolves once listening. Nothing is served but 503
 * until `attach`, so the port can be known before the rest of the node exists.
 */
export function startRestListener(bindAddr: string, tls: HttpsServerOptions | null, limits: RestLimits = REST_LIMITS): Promise<RestListener> {
  const { host, port } = parseAddress(bindAddr);
  let handler: RequestListener = starting;
  // Responses not finished yet: at stop, each is told to close its socket once it is sent.
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  /** Past stop's window for idle sockets: any socket that goes idle is closed at once. */
  let closeIdle = false;
  const dispatch: RequestListener = (req, res) => {
    if (closing) return stopping(req, res);
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // A reply whose headers went out before stop promised keep-alive: its socket is idle now.
      if (closeIdle) server.closeIdleConnections();
    });
    handler(req, res);
  };
  const timeouts = { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs };
  const server: Server = tls === null ? createHttpServer(timeouts, dispatch) : createHttpsServer({ ...tls, ...timeouts }, dispatch);
  server.maxConnections = limits.maxConnections;
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
            closing = true;
            for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
            const force = setTimeout(() => server.closeAllConnections(), graceMs);
            force.unref();
            // Kept-alive sockets stay open a moment, so that a request already on its way gets
            // 503 "stopping" (and Connection: close) rather than a reset: closed at once, 32 of
            // 50 keep-alive clients' POSTs failed with ECONNRESET, applied or not for all they
            // knew. (server.close closes idle sockets too, so it waits for the window as well;
            // a connection made meanwhile is answered 503 like the rest.)
            setTimeout(() => {
              closeIdle = true;
              server.close(() => {
                clearTimeout(force);
                done();
              });
              server.closeIdleConnections();
            }, Math.min(STOP_IDLE_WINDOW_MS, graceMs / 2));
          });
          return stopped;
        },
      });
    });
  });
}
