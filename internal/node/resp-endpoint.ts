import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { NodeMetrics } from '../metrics/index.js';
import type { SnapshotStatus } from '../persistence/index.js';
import { RespServer } from '../resp/index.js';
import type { ClientMemory, CommandService } from '../server/index.js';
import type { Store } from '../store/index.js';
import type { NodeCredentials } from '../tls/index.js';
import { startRespListener, type RespListener } from './resp-listener.js';
import { openFilesLimit, respClientsWithin } from './fd-limit.js';
import { GOKV_VERSION } from '../config/index.js';

export interface RespParts {
  readonly id: string;
  readonly store: Store;
  readonly service: CommandService;
  readonly credentials: NodeCredentials;
  readonly log: Logger;
  /** Counts the commands RESP answers itself, as the service path counts the others. */
  readonly metrics: NodeMetrics;
  /** limits.max_client_memory, shared with StreamCommand. */
  readonly memory: ClientMemory;
  /** INFO persistence's figures. */
  readonly snapshots: () => SnapshotStatus;
}

/**
 * The Redis protocol endpoint on addresses.resp_bind (null when disabled): a RespServer over the
 * node's CommandService, INFO's figures read from the store, TLS with the external certificate.
 */
export async function startResp(config: Config, parts: RespParts): Promise<RespListener | null> {
  const bind = config.addresses.respBind;
  if (bind === null) return null;
  const { store } = parts;
  const clients = respClientsWithin(config.limits.maxClients, openFilesLimit());
  if (clients.warning !== undefined) parts.log.warn({ maxClients: clients.maxClients }, clients.warning);
  const resp = new RespServer(
    {
      service: parts.service,
      info: {
        nodeId: parts.id,
        gokvVersion: GOKV_VERSION,
        maxMemoryBytes: config.memory.maxMemoryBytes,
        evictionPolicy: config.memory.evictionPolicy,
        usedMemoryBytes: () => store.usedMemory,
        tombstones: () => store.tombstoneUse,
        counters: () => store.counters,
        snapshots: parts.snapshots,
      },
      log: parts.log.child({ component: 'resp' }),
      onSessionCommand: (name, outcome, seconds) => parts.metrics.commandDone(name, outcome, seconds),
      memory: parts.memory,
    },
    {
      maxArgs: config.limits.maxArgs,
      maxValueBytes: config.limits.maxValueBytes,
      maxMessageBytes: config.limits.maxMessageBytes,
      maxInFlight: config.limits.maxInFlightPerStream,
      maxClients: clients.maxClients,
      maxClientMemory: config.limits.maxClientMemory,
    },
  );
  return startRespListener(bind, parts.credentials.https, resp);
}
