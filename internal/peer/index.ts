// peer/ owns the gRPC clients to other nodes: one channel per peer (ClientPool), heartbeats,
// the batched Forward stream and replication streams; plus an in-memory fake network for
// unit tests. It imports wire/, errors/ and gen/; never router/, replication/ or node/.
export { ClientPool } from './client-pool.js';
export { PeerClient, type PeerClientOptions } from './peer-client.js';
export { ForwardStream, type ForwardRequest } from './forward-stream.js';
export { TransportError, isTransportError } from './transport-error.js';
