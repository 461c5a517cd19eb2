// The transport ceiling: a grpc-js server with gokv's ExternalServer proto and server options
// that answers every command with a fixed MessagePack reply of the shape gokv would send (HSET
// and LPUSH an integer, HGET a one-field map, LPOP a 32 B bin), doing no store work. Requests
// and replies go through gokv's own command codec (wire/command-codec.ts), as in gokv; the
// MessagePack reply is encoded once, up front.
// Usage: node --import tsx bench/bare-server.ts 127.0.0.1:PORT
import * as grpc from '@grpc/grpc-js';
import type { ExternalHandlers } from '../internal/server/index.js';
import { DEFAULT_CONFIG } from '../internal/config/index.js';
import { serverOptions } from '../internal/server/grpc-server.js';
import { loadProtos, withCommandCodec, type DecodedCommand } from '../internal/wire/index.js';
import { bareReply } from './bare-replies.js';

const address = process.argv[2] ?? '127.0.0.1:0';

const reply = (req: DecodedCommand) => bareReply(req.name);

const handlers: ExternalHandlers = {
  Healthcheck(_call, callback) {
    callback(null, { ringVersion: 1, peers: [{ nodeId: 'bare', nodeAddr: address, alive: true, status: 'alive' }] });
  },
  RunCommand(call, callback) {
    callback(null, reply(call.request));
  },
  StreamCommand(call) {
    call.on('data', (req: DecodedCommand) => call.write(reply(req)));
    call.on('end', () => call.end());
    call.on('error', () => undefined);
  },
};

const server = new grpc.Server(serverOptions({ ...DEFAULT_CONFIG.limits, maxMessageBytes: 64 * 1024 * 1024 }));
server.addService(withCommandCodec(loadProtos().external.externalpb.ExternalServer.service), handlers);
server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) {
    process.stderr.write(`bare-server: ${err.message}\n`);
    process.exit(1);
  }
});
const stop = (): void => server.tryShutdown(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
