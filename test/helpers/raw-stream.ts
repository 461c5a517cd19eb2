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
