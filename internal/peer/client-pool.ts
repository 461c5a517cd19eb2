import type * as grpc from '@grpc/grpc-js';
import { PeerClient, type PeerClientOptions } from './peer-client.js';

/** One PeerClient per peer address, created on first use and closed with the pool. */
export class ClientPool {
  private readonly clients = new Map<string, PeerClient>();

  constructor(
    private readonly credentials: grpc.ChannelCredentials,
    private readonly options: PeerClientOptions,
  ) {}

  get(addr: string): PeerClient {
    let client = this.clients.get(addr);
    if (!client) {
      client = new PeerClient(addr, this.credentials, this.options);
      this.clients.set(addr, client);
    }
    return client;
  }

  /** Drops the client of a peer that left or was forgotten. */
  drop(addr: string): void {
    this.clients.get(addr)?.close();
    this.clients.delete(addr);
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
