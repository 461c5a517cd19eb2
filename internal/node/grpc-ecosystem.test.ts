import { EventEmitter } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { addHealthAndReflection } from './grpc-ecosystem.js';

/** A bidi call whose transport has room for `room` replies until 'drain'. */
class FullCall extends EventEmitter {
  readonly replies: unknown[] = [];
  paused = false;
  constructor(private room: number) {
    super();
  }
  write(reply: unknown): boolean {
    this.replies.push(reply);
    return --this.room > 0;
  }
  pause(): this {
    this.paused = true;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  end(): void {}
}

/** The handlers addHealthAndReflection registers, by full method path. */
function registeredHandlers(): Map<string, grpc.handleBidiStreamingCall<unknown, unknown>> {
  const handlers = new Map<string, grpc.handleBidiStreamingCall<unknown, unknown>>();
  const server: Pick<grpc.Server, 'addService'> = {
    addService(service, implementation) {
      for (const [name, method] of Object.entries(service)) {
        handlers.set(method.path, implementation[name] as grpc.handleBidiStreamingCall<unknown, unknown>);
      }
    },
  };
  addHealthAndReflection(server);
  return handlers;
}

describe('server reflection', () => {
  it.each(['v1', 'v1alpha'])('%s stops reading requests while its replies wait for the socket, until drain', (version) => {
    const handler = registeredHandlers().get(`/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`)!;
    const call = new FullCall(2);
    handler(call as unknown as grpc.ServerDuplexStream<unknown, unknown>);
    call.emit('data', { listServices: '*' });
    expect(call.paused).toBe(false);
    call.emit('data', { listServices: '*' });
    expect(call.paused).toBe(true);
    call.emit('drain');
    expect(call.paused).toBe(false);
    expect(call.replies).toHaveLength(2);
  });
});
