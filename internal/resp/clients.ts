import type { Socket } from 'node:net';

/** One connection as CLIENT INFO / CLIENT LIST show it. */
export interface ClientInfo {
  readonly id: number;
  name: string;
  readonly addr: string;
  readonly laddr: string;
  readonly createdAtMs: number;
  lastCommandAtMs: number;
  lastCommand: string;
  /** After a refused MULTI, until EXEC or DISCARD: every command is refused (connection.ts). */
  inRefusedMulti: boolean;
  /** The protocol HELLO chose: 2 (the default) or 3. */
  resp: 2 | 3;
}

const hostPort = (host: string | undefined, port: number | undefined): string =>
  host === undefined ? '?' : `${host.includes(':') ? `[${host}]` : host}:${port ?? 0}`;

/** Every open RESP connection of this node, and the counters INFO stats shows. */
export class ClientRegistry {
  private readonly clients = new Map<number, ClientInfo>();
  private nextId = 1;
  connectionsReceived = 0;
  /** Connections refused at limits.max_clients (INFO stats rejected_connections). */
  connectionsRejected = 0;
  /** Clients closed for limits.max_client_memory (INFO stats evicted_clients): the budget's count. */
  evictedCount: () => number = () => 0;
  commandsProcessed = 0;

  constructor(private readonly now: () => number) {}

  get size(): number {
    return this.clients.size;
  }

  add(socket: Socket): ClientInfo {
    const at = this.now();
    const info: ClientInfo = {
      id: this.nextId++,
      name: '',
      addr: hostPort(socket.remoteAddress, socket.remotePort),
      laddr: hostPort(socket.localAddress, socket.localPort),
      createdAtMs: at,
      lastCommandAtMs: at,
      lastCommand: 'NULL',
      inRefusedMulti: false,
      resp: 2,
    };
    this.clients.set(info.id, info);
    this.connectionsReceived++;
    return info;
  }

  remove(info: ClientInfo): void {
    this.clients.delete(info.id);
  }

  all(): ClientInfo[] {
    return [...this.clients.values()];
  }

  /** Redis's CLIENT INFO line (the fields gokv has; no memory or buffer details). */
  describe(c: ClientInfo): string {
    const now = this.now();
    const age = Math.floor((now - c.createdAtMs) / 1000);
    const idle = Math.floor((now - c.lastCommandAtMs) / 1000);
    const cmd = c.lastCommand.length <= 32 && /^[\x21-\x7e]+$/.test(c.lastCommand) ? c.lastCommand.toLowerCase() : '?';
    // Every field of Redis 7.0's line, in its order: client libraries parse some as integers
    // (redis-py's client_info() fails on a missing one). Buffer and memory figures gokv does not
    // keep per client read 0.
    return (
      `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=-1 name=${c.name} age=${age} idle=${idle} flags=N db=0 ` +
      `sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 ` +
      `tot-mem=0 events=r cmd=${cmd} user=default redir=-1 resp=${c.resp}`
    );
  }
}
