import * as grpc from '@grpc/grpc-js';

export interface BoundServer {
  readonly server: grpc.Server;
  /** The address actually bound (with the real port when 0 was asked for). */
  readonly address: string;
  /** Graceful shutdown, forced after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Explicit message and concurrency limits and keepalive settings shared by the external and
 * internal servers. The call limit goes to each client as SETTINGS_MAX_CONCURRENT_STREAMS: gRPC
 * clients (grpc-js, grpc-go, C-core) hold further calls in their own queue, and a stream opened
 * beyond it anyway is refused (REFUSED_STREAM), so one connection cannot pile up unbounded calls.
 * A connection with no call for CONNECTION_IDLE_MS is closed (GOAWAY; gRPC clients reconnect on
 * their next call): idle HTTP/2 sessions were kept for ever, about 10 KB and a descriptor each.
 */
export const CONNECTION_IDLE_MS = 5 * 60_000;

export function serverOptions(limits: { maxMessageBytes: number; maxCallsPerConnection: number }): grpc.ServerOptions {
  return {
    'grpc.max_receive_message_length': limits.maxMessageBytes,
    'grpc.max_send_message_length': limits.maxMessageBytes,
    'grpc.max_concurrent_streams': limits.maxCallsPerConnection,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    'grpc.max_connection_idle_ms': CONNECTION_IDLE_MS,
  };
}

/** Binds `server` on `bindAddr` (`host:port`) and resolves once it listens. */
export function startGrpcServer(
  server: grpc.Server,
  bindAddr: string,
  credentials: grpc.ServerCredentials,
): Promise<BoundServer> {
  return new Promise((resolve, reject) => {
    server.bindAsync(bindAddr, credentials, (err, port) => {
      if (err) {
        reject(new Error(`cannot listen on ${bindAddr}: ${err.message}`, { cause: err }));
        return;
      }
      const host = bindAddr.slice(0, bindAddr.lastIndexOf(':'));
      resolve({
        server,
        address: `${host}:${port}`,
        stop: (graceMs = 2000) =>
          new Promise<void>((done) => {
            const force = setTimeout(() => {
              server.forceShutdown();
              done();
            }, graceMs);
            force.unref();
            server.tryShutdown(() => {
              clearTimeout(force);
              done();
            });
          }),
      });
    });
  });
}
