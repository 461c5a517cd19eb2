import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { formatAddress, parseAddress } from '../config/index.js';
import type { RespServer } from '../resp/index.js';
import type { HttpsServerOptions } from '../tls/index.js';

/** The RESP listener: a TCP (or TLS) port whose accepted sockets the RespServer serves. */
export interface RespListener {
  /** The address actually bound (the real port when 0 was asked for). */
  readonly address: string;
  /** Stops accepting, lets open connections finish their replies, cuts them after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Binds `bindAddr` in plain TCP, or TLS when `tls` is given: the external certificate, with
 * client certificates asked for and checked in the handshake as `tls` says (the same
 * none/request/require rules as external gRPC and REST), so a refused client never reaches a
 * command. Half-open sockets are kept so replies to a client that shut its side still go out.
 */
export function startRespListener(bindAddr: string, tls: HttpsServerOptions | null, resp: RespServer): Promise<RespListener> {
  const { host, port } = parseAddress(bindAddr);
  const serve = (socket: Socket) => resp.handle(socket);
  const server: Server =
    tls === null
      ? createNetServer({ allowHalfOpen: true, noDelay: true }, serve)
      : createTlsServer({ ...tls, allowHalfOpen: true }, serve);
  // A failed handshake (no or bad client certificate) is the client's problem, not the node's.
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(new Error(`cannot listen on ${bindAddr}: ${err.message}`, { cause: err }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const bound = (server.address() as AddressInfo).port;
      resp.setAddress(host, bound);
      let stopped: Promise<void> | undefined;
      resolve({
        address: formatAddress({ host, port: bound }),
        stop(graceMs = 2000) {
          stopped ??= (async () => {
            const closed = new Promise<void>((done) => server.close(() => done()));
            await resp.close(graceMs);
            await closed;
          })();
          return stopped;
        },
      });
    });
  });
}
