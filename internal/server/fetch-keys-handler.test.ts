import { status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { unavailable } from '../errors/index.js';
import { silentLogger } from '../log/index.js';
import { fromServiceError } from '../wire/index.js';
import { internalHandlers } from './internal-server.js';
import type { InternalService } from './internal-service.js';

/** FetchKeys through the handler: what its callback got. */
function fetchKeys(answer: InternalService['fetchKeys']): Promise<{ err: unknown; res: unknown }> {
  const service = { fetchKeys: answer } as unknown as InternalService;
  const handlers = internalHandlers(service, silentLogger(), 1000);
  const call = { request: { fromNodeId: 'd', keys: [Buffer.from('k')] } };
  return new Promise((resolve) => {
    (handlers.FetchKeys as (call: unknown, cb: (err: unknown, res?: unknown) => void) => void)(call, (err, res) => resolve({ err, res }));
  });
}

describe('InternalServer FetchKeys', () => {
  it('answers once a chained pull is over', async () => {
    const state = { key: 'k', type: 'hash', value: ['f', 'v'], expireAtMs: 0, version: 7, deleted: false };
    const { err, res } = await fetchKeys(async () => ({ states: [state], deferred: [] }));
    expect(err).toBeNull();
    expect(res).toMatchObject({ states: [{ version: 7 }], deferred: [] });
  });

  it('sends a chained pull\'s failure as a refusal the asker reads as one (not a transport failure)', async () => {
    const { err } = await fetchKeys(() => Promise.reject(unavailable('f could not get the key from its previous owners; retry')));
    expect(err).toMatchObject({ code: grpcStatus.UNAVAILABLE });
    expect(fromServiceError(err as ServiceError)).toMatchObject({ code: 'UNAVAILABLE', transport: false });
  });
});
