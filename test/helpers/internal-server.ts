import * as grpc from '@grpc/grpc-js';
import { silentLogger } from '../../internal/log/index.js';
import { addInternalService, startGrpcServer, type InternalService } from '../../internal/server/index.js';

/**
 * An InternalServer on a loopback port whose every method answers "nothing here", but those in
 * `handlers`: for tests of one internal call over the real gRPC path. Resolves with its address
 * and a stop.
 */
export async function serveInternal(handlers: Partial<InternalService>): Promise<{ address: string; stop(): Promise<void> }> {
  const server = new grpc.Server();
  const service: InternalService = {
    heartbeat: () => [],
    execute: () => null,
    applyReplication: () => ({ ackedSeq: 0, resyncKeys: [] }),
    rebalance: () => ({ applied: 0, missing: [], arriving: [] }),
    fetchKeys: () => ({ states: [], deferred: [] }),
    scanRange: (_from, to) => ({ keys: [], next: to }),
    fetchRange: (_from, _for, _f, to) => ({ states: [], next: to, stillFrom: [] }),
    ...handlers,
  };
  addInternalService(server, service, silentLogger(), 1000);
  const bound = await startGrpcServer(server, '127.0.0.1:0', grpc.ServerCredentials.createInsecure());
  return { address: bound.address, stop: () => bound.stop(10) };
}
