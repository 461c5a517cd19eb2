import { dirname } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { protoDir } from '../wire/index.js';

/** The external API's full service name, as `grpcurl list` and health checks name it. */
export const EXTERNAL_SERVICE = 'externalpb.ExternalServer';

/** Serving status of the standard health service, for the whole server ("") and the API. */
export interface GrpcHealth {
  setServing(serving: boolean): void;
}

let reflected: protoLoader.PackageDefinition | undefined;

/** The external protos plus grpc.health.v1, loaded once per process (reflection only reads it). */
function reflectedPackage(): protoLoader.PackageDefinition {
  // .../grpc-health-check/proto/health/v1/health.proto -> include dir .../proto
  const healthRoot = dirname(dirname(dirname(healthProtoPath)));
  reflected ??= protoLoader.loadSync(['externalpb/external.proto', 'health/v1/health.proto'], {
    includeDirs: [protoDir(), healthRoot],
  });
  return reflected;
}

type ServiceAdder = Pick<grpc.Server, 'addService'>;

/**
 * Adds the standard `grpc.health.v1.Health` service (Check and Watch; NOT_SERVING until the
 * node says otherwise) and server reflection (v1 and v1alpha) over the external API and the
 * health service, so generic clients (`grpcurl -plaintext host:port list`) can list and call them.
 */
export function addHealthAndReflection(server: ServiceAdder): GrpcHealth {
  const health = new HealthImplementation({ '': 'NOT_SERVING', [EXTERNAL_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);
  new ReflectionService(reflectedPackage()).addToServer(withBidiBackpressure(server));
  return {
    setServing(serving) {
      const status = serving ? 'SERVING' : 'NOT_SERVING';
      health.setStatus('', status);
      health.setStatus(EXTERNAL_SERVICE, status);
    },
  };
}

/**
 * `server` with every bidi handler added through it made to stop reading while its replies wait
 * for the socket. The reflection service writes one reply per request and ignores write()'s
 * answer, so a client sending requests without reading the replies made the node read them all
 * and hold a reply for each: memory without bound.
 */
function withBidiBackpressure(server: ServiceAdder): ServiceAdder {
  return {
    addService(service, implementation) {
      const handlers = Object.entries(implementation).map(([name, handler]) => {
        const method = service[name];
        const bidi = method?.requestStream === true && method.responseStream === true;
        return [name, bidi ? pausingWhenFull(handler as grpc.handleBidiStreamingCall<unknown, unknown>) : handler];
      });
      server.addService(service, Object.fromEntries(handlers) as grpc.UntypedServiceImplementation);
    },
  };
}

/** The handler, given a call that pauses reading when a write finds it full, until 'drain'. */
function pausingWhenFull(handler: grpc.handleBidiStreamingCall<unknown, unknown>): grpc.handleBidiStreamingCall<unknown, unknown> {
  return (call) => {
    const write = call.write.bind(call) as (...args: unknown[]) => boolean;
    let paused = false;
    call.write = ((...args: unknown[]) => {
      const room = write(...args);
      if (!room && !paused) {
        paused = true;
        call.pause();
        call.once('drain', () => {
          paused = false;
          call.resume();
        });
      }
      return room;
    }) as typeof call.write;
    handler(call);
  };
}
