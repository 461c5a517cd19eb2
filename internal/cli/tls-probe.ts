import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { parseAddress } from '../config/index.js';

/** The PEM files gokv-cli dials with (`--ca`, `--cert`, `--key`). */
export interface TlsFiles {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/** The probe's reason when the server hung up as soon as the handshake was done. */
export const CLOSED_AFTER_HANDSHAKE = 'the server closed the connection right after the TLS handshake';
/** After the handshake, how long to wait for a TLS 1.3 server's verdict on our certificate. */
const VERDICT_MS = 300;

/**
 * One bare TLS handshake with `uri` (host:port) using the CLI's files, for the reason grpc-js
 * hides behind "Failed to connect": a TLS 1.3 server that refuses the client certificate says so
 * in an alert after the client's side of the handshake is done, and grpc-js only sees the socket
 * close. Resolves with the handshake's error message, or undefined when it succeeded, timed out,
 * or `uri` is not a plain host:port.
 */
export function probeTls(uri: string, files: TlsFiles, timeoutMs = 2000): Promise<string | undefined> {
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseAddress(uri)); // a grpc-js scheme form (dns:, unix:) is not probed
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port,
      ca: files.ca,
      cert: files.cert,
      key: files.key,
      ALPNProtocols: ['h2'],
      ...(isIP(host) === 0 && { servername: host }),
    });
    let settled = false;
    const done = (reason: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reason);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) => done(`${err.code ?? ''} ${err.message}`.trim()));
    let handshaken = false;
    socket.on('secureConnect', () => {
      handshaken = true;
      setTimeout(() => done(undefined), VERDICT_MS);
    });
    // Node's TLS servers drop a refused client right after a TLS 1.3 handshake, without an alert.
    socket.on('close', () => done(handshaken ? CLOSED_AFTER_HANDSHAKE : undefined));
    socket.resume(); // read, so a late alert surfaces as an error
  });
}
