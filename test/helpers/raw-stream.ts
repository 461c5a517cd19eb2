import * as http2 from 'node:http2';
import { loadProtos } from '../../internal/wire/index.js';

const u32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/**
 * A StreamCommand call over a raw HTTP/2 stream that reads nothing until resumed. grpc-js's own
 * client reads every reply into memory whether or not the application consumes them, so it
 * never pushes back; this one stops reading, as a stalled client would, and HTTP/2 flow control
 * then stops the node's writes. `send` writes `count` copies of one request.
 */
export function pausedStreamCommand(grpcAddress: string) {
  const method = loadProtos().external.externalpb.ExternalServer.service.StreamCommand;
  const session = http2.connect(`http://${grpcAddress}`);
  session.on('error', () => {});
  const stream = session.request({ ':method': 'POST', ':path': method.path, 'content-type': 'application/grpc', te: 'trailers' });
  stream.on('error', () => {});
  stream.pause();
  const send = (request: { command: string; key: string; args: Buffer[] }, count: number) => {
    const body = method.requestSerialize(request);
    const one = Buffer.concat([Buffer.from([0, ...u32(body.length)]), body]);
    stream.write(Buffer.concat(Array.from({ length: count }, () => one)));
  };
  return { session, stream, send };
}

/**
 * `count` RunCommand calls of one request on one HTTP/2 session that reads nothing until
 * `resume`; `statuses` then resolves with each call's grpc-status, in call order.
 */
export function pausedRunCommands(grpcAddress: string, request: { command: string; key: string; args: Buffer[] }, count: number) {
  const method = loadProtos().external.externalpb.ExternalServer.service.RunCommand;
  const session = http2.connect(`http://${grpcAddress}`);
  session.on('error', () => {});
  const body = method.requestSerialize(request);
  const framed = Buffer.concat([Buffer.from([0, ...u32(body.length)]), body]);
  const streams = Array.from({ length: count }, () => {
    const stream = session.request({ ':method': 'POST', ':path': method.path, 'content-type': 'application/grpc', te: 'trailers' });
    stream.on('error', () => {});
    // Listening from the start: a refused call's trailers-only HEADERS come at once, paused or not.
    const status = new Promise<string>((resolve) => {
      stream.on('response', (headers) => headers['grpc-status'] !== undefined && resolve(String(headers['grpc-status'])));
      stream.on('trailers', (trailers) => resolve(String(trailers['grpc-status'])));
      stream.on('close', () => resolve('closed'));
    });
    stream.pause();
    stream.end(framed);
    return { stream, status };
  });
  const statuses = (): Promise<string[]> => {
    for (const { stream } of streams) stream.resume();
    return Promise.all(streams.map((s) => s.status));
  };
  return { session, statuses };
}
