import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import type { Reply } from '../../command/index.js';
import { silentLogger, type Logger } from '../../log/index.js';
import type { CommandService, ServedCommand } from '../../server/index.js';
import { RespServer } from '../server.js';
import type { RespServerOptions } from '../types.js';

export const TEST_OPTIONS: RespServerOptions = { maxArgs: 100, maxValueBytes: 1 << 20, maxMessageBytes: 4 << 20, maxInFlight: 8, maxClients: 100, maxClientMemory: 0 };

/** A RespServer on a loopback port over `execute`, as node/ serves it (half-open sockets kept). */
export async function serveResp(execute: (cmd: ServedCommand) => Reply | Promise<Reply>, options: Partial<RespServerOptions> = {}, log: Logger = silentLogger(), now?: () => number) {
  const service: CommandService = { execute, members: () => [], ringVersion: () => 0 };
  const resp = new RespServer(
    {
      service,
      info: { nodeId: 'n1', gokvVersion: '0.0.0', maxMemoryBytes: 0, evictionPolicy: 'noeviction', usedMemoryBytes: () => 0, tombstones: () => ({ count: 0, bytes: 0 }), counters: () => ({ expiredKeys: 0, evictedKeys: 0, tombstonesPrunedEarly: 0 }) },
      log,
      ...(now === undefined ? {} : { now }),
    },
    { ...TEST_OPTIONS, ...options },
  );
  const server = createServer({ allowHalfOpen: true }, (s) => resp.handle(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  resp.setAddress('127.0.0.1', port);
  return {
    port,
    resp,
    async close() {
      await resp.close(500);
      await new Promise((r) => server.close(r));
    },
  };
}

/** A raw client socket that collects everything it receives as latin1 text. */
export async function rawClient(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', r));
  let data = '';
  socket.on('data', (c: Buffer) => (data += c.toString('latin1')));
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  socket.on('error', () => {}); // a reset by the server (a client closed for a limit) shows as the close
  return { socket, received: () => data, closed };
}
