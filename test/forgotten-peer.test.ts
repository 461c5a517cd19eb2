import * as grpc from '@grpc/grpc-js';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, expect, it, vi } from 'vitest';
import { ClientPool } from '../internal/peer/index.js';
import { memberToProto } from '../internal/server/index.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

let cluster: InProcessCluster | undefined;
let sink: Server | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
  await new Promise((resolve) => sink?.close(resolve) ?? resolve(undefined));
  sink = undefined;
});

/** grpc-js redials a failed channel within max_reconnect_backoff (1 s in peer-client.ts). */
const REDIAL_WINDOW_MS = 2_500;

it('stops dialing a member once every node has forgotten it', async () => {
  // A member that never answers: a listener that drops every connection, counting them.
  let dials = 0;
  sink = createServer((socket) => {
    dials += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => sink!.listen(0, '127.0.0.1', resolve));
  const addr = `127.0.0.1:${(sink.address() as AddressInfo).port}`;

  cluster = await startCluster(2);
  const pool = new ClientPool(grpc.credentials.createInsecure(), { timeoutMs: 1000, maxMessageBytes: 1 << 20, maxForwardBatch: 8 });
  const ghost = { id: 'ghost', internalAddr: addr, grpcAddr: '', restAddr: '', status: 'alive' as const, incarnation: 1, heartbeat: 1 };
  await pool.get(cluster.nodes[0]!.addresses.internal!).heartbeat('test', [memberToProto(ghost)]);
  pool.close();

  const nodes = cluster.nodes;
  await vi.waitFor(() => expect(nodes.map((n) => n.members().some((m) => m.id === 'ghost'))).toEqual([false, false]), {
    timeout: 15_000,
    interval: 50,
  });
  expect(dials).toBeGreaterThan(0); // the nodes did try it while it was a member
  const atForget = dials;
  await new Promise((resolve) => setTimeout(resolve, REDIAL_WINDOW_MS));
  expect(dials - atForget).toBeLessThanOrEqual(2); // at most a dial already under way per node
}, 30_000);
