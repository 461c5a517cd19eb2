import { connect as connectTcp, isIP, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { parseAddress } from '../config/index.js';
import type { TlsFiles } from './tls-probe.js';

/** What a port that refused the HTTP/2 preface speaks instead, as far as one line tells. */
export type OtherProtocol = 'http' | 'resp';

/** The probe sends a Redis PING: RESP answers +PONG (or an error), HTTP/1.1 a 400. */
const PROBE = 'PING\r\n';

/**
 * One connection to `uri` that asks which protocol answers there, for gokv-cli pointed at a
 * REST or RESP port ("Protocol error" from grpc-js says neither). Resolves undefined when the
 * answer is neither, nothing came within `timeoutMs`, or `uri` is not a plain host:port.
 */
export function probeProtocol(uri: string, files: TlsFiles | undefined, timeoutMs = 1000): Promise<OtherProtocol | undefined> {
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseAddress(uri));
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: OtherProtocol | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const socket: Socket =
      files === undefined
        ? connectTcp({ host, port }, () => socket.write(PROBE))
        : tls.connect({ host, port, ca: files.ca, cert: files.cert, key: files.key, ...(isIP(host) === 0 && { servername: host }) }, () => socket.write(PROBE));
    let head = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      head += chunk;
      if (head.length >= 5 || /[\r\n]/.test(head)) done(classifyAnswer(head));
    });
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(classifyAnswer(head)));
  });
}

/** The first bytes of an answer to PING. */
export function classifyAnswer(head: string): OtherProtocol | undefined {
  if (head.startsWith('HTTP/1.')) return 'http';
  if (/^[+\-:$*]/.test(head)) return 'resp';
  return undefined;
}
