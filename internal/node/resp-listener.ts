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

/** How long a TLS client may take to finish its handshake (REST's headers timeout is longer). */
export const RESP_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Binds `bindAddr` in plain TCP, or TLS when `tls` is given: the external certificate, with
 * client certificates asked for and checked in the handshake as `tls` says (the same
 * none/request/require rules as external gRPC and REST), so a refused client never reaches a
 * command. Half-open sockets are kept so replies to a client that shut its side still go out.
 */
export function startRespListener(
  bindAddr: string,
  tls: HttpsServerOptions | null,
  resp: RespServer,
  handshakeTimeoutMs = RESP_HANDSHAKE_TIMEOUT_MS,
): Promise<RespListener> {
  const { host, port } = parseAddress(bindAddr);
  const handshakes = new Handshakes(handshakeTimeoutMs);
  const serve = (socket: Socket) => {
    handshakes.done(socket);
    socket.allowHalfOpen = true; // read at the client's end of stream: replies still go out
    resp.handle(socket);
  };
  // Not half-open until served: a TLS connection its client ends before its handshake is done
  // (a port scan, a TCP health check) would stay open for good, and the stop would wait on it.
  const server: Server =
    tls === null
      ? createNetServer({ allowHalfOpen: true, noDelay: true }, serve)
      : createTlsServer({ ...tls, allowHalfOpen: false }, serve);
  if (tls !== null) server.on('connection', (raw: Socket) => handshakes.begin(raw));
  // A failed handshake (no or bad client certificate) is the client's problem, not the node's:
  // its socket is closed (half-open, nothing else would close it).
  server.on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy());
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
            handshakes.closeAll(); // never served, so nothing to finish: server.close waits for them
            await resp.close(graceMs);
            await closed;
          })();
          return stopped;
        },
      });
    });
  });
}

/**
 * TCP connections of a TLS port whose handshake has not finished: closed when the handshake
 * takes longer than the timeout (a client that connects and sends nothing), and at stop (the
 * server's close waits for every connection). A TLS socket is matched to its TCP connection by
 * the client's address and port, unique among open connections.
 */
class Handshakes {
  private readonly pending = new Map<string, { raw: Socket; timer: NodeJS.Timeout }>();

  constructor(private readonly timeoutMs: number) {}

  begin(raw: Socket): void {
    const key = peerKey(raw);
    const timer = setTimeout(() => raw.destroy(), this.timeoutMs);
    timer.unref();
    this.pending.set(key, { raw, timer });
    raw.once('close', () => this.forget(key, raw));
  }

  done(socket: Socket): void {
    const entry = this.pending.get(peerKey(socket));
    if (entry !== undefined) this.forget(peerKey(socket), entry.raw);
  }

  closeAll(): void {
    for (const { raw } of [...this.pending.values()]) raw.destroy();
  }

  private forget(key: string, raw: Socket): void {
    const entry = this.pending.get(key);
    if (entry?.raw !== raw) return;
    clearTimeout(entry.timer);
    this.pending.delete(key);
  }
}

const peerKey = (socket: Socket): string => `${socket.remoteAddress}|${socket.remotePort}`;
