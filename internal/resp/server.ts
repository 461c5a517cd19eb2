import type { Socket } from 'node:net';
import { ClientMemory } from '../server/index.js';
import { ClientRegistry } from './clients.js';
import { RespConnection } from './connection.js';
import { TCP_KEEPALIVE_S, type SessionContext } from './session-commands.js';
import type { RespServerDeps, RespServerOptions } from './types.js';

/** How long a refused connection may stay half-open after its error line. */
const REFUSED_LINGER_MS = 1000;
/** Redis's interval between two warnings about HTTP requests on the RESP port. */
const HTTP_WARN_EVERY_MS = 60_000;

/**
 * The RESP endpoint without its listener (node/ binds the TCP or TLS port and hands every
 * accepted socket to `handle`): connections, the client registry, and a graceful close.
 */
export class RespServer {
  private readonly clients: ClientRegistry;
  private readonly connections = new Set<RespConnection>();
  private readonly now: () => number;
  private readonly elapsed: () => number;
  private readonly startedAtMs: number;
  private address = { host: '', port: 0 };
  private httpWarnedAtMs = -Infinity;
  /** limits.max_client_memory (see ClientMemory; shared with StreamCommand in a node). */
  private readonly memory: ClientMemory;

  constructor(
    private readonly deps: RespServerDeps,
    private readonly options: RespServerOptions,
  ) {
    this.now = deps.now ?? Date.now;
    this.elapsed = deps.elapsed ?? (() => performance.now());
    this.startedAtMs = this.elapsed();
    this.clients = new ClientRegistry(this.elapsed);
    this.memory = deps.memory ?? new ClientMemory(options.maxClientMemory, deps.log, this.elapsed);
    this.clients.evictedCount = () => this.memory.evicted;
  }

  /** The bound address, for INFO's tcp_port and CONFIG GET bind/port. */
  setAddress(host: string, port: number): void {
    this.address = { host, port };
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Bytes held for every client together (limits.max_client_memory). */
  get clientMemory(): number {
    return this.memory.total;
  }

  /** Serves one accepted socket until it closes, or refuses it past limits.max_clients. */
  handle(socket: Socket): void {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, TCP_KEEPALIVE_S * 1000);
    if (this.connections.size >= this.options.maxClients) {
      // As Redis does: one error line, then close. What the client sent is read and dropped,
      // so its FIN is seen; one that never closes its side is cut off after a second.
      this.clients.connectionsRejected++;
      socket.on('error', () => {});
      socket.resume();
      socket.end('-ERR max number of clients reached\r\n');
      setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
      return;
    }
    const client = this.clients.add(socket);
    const session: SessionContext = {
      client,
      clients: this.clients,
      service: this.deps.service,
      info: this.deps.info,
      startedAtMs: this.startedAtMs,
      now: this.now,
      elapsed: this.elapsed,
      port: this.address.port,
      host: this.address.host,
      maxValueBytes: this.options.maxValueBytes,
      maxClients: this.options.maxClients,
    };
    const { maxArgs, maxValueBytes, maxMessageBytes, maxInFlight } = this.options;
    const connection = new RespConnection(socket, session, {
      service: this.deps.service,
      log: this.deps.log,
      // The name and the key come before limits.max_args's arguments.
      limits: { maxArgs: maxArgs + 2, maxBulkBytes: maxValueBytes, maxCommandBytes: maxMessageBytes },
      maxInFlight,
      onCommand: () => this.clients.commandsProcessed++,
      onSessionCommand: this.deps.onSessionCommand ?? (() => {}),
      onClose: () => {
        this.connections.delete(connection);
        this.clients.remove(client);
        forgetHeld();
      },
      onHttpRequest: (addr) => this.warnHttpRequest(addr),
      onHeldBytes: (delta) => this.memory.change(delta),
    });
    const forgetHeld = this.memory.register(connection);
    this.connections.add(connection);
  }

  /** At most one warning a minute, as Redis: a page in a loop must not flood the log. */
  private warnHttpRequest(client: string): void {
    const now = this.elapsed();
    if (now - this.httpWarnedAtMs < HTTP_WARN_EVERY_MS) return;
    this.httpWarnedAtMs = now;
    this.deps.log.warn(
      { client },
      'resp connection closed: it sent an HTTP request (POST or Host:), possibly a web page attempting cross-protocol scripting',
    );
  }

  /**
   * Stops every connection reading, lets replies in flight be written and ends the sockets;
   * resolves when all closed, destroying any still open after `graceMs`.
   */
  async close(graceMs = 2000): Promise<void> {
    const open = [...this.connections];
    for (const c of open) c.endInput();
    let force: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      force = setTimeout(() => {
        for (const c of this.connections) c.destroy();
        resolve();
      }, graceMs);
    });
    await Promise.race([Promise.all(open.map((c) => c.whenClosed)), deadline]);
    clearTimeout(force);
  }
}
