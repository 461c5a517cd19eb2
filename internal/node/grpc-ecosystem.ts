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

/**
 * Adds the standard `grpc.health.v1.Health` service (Check and Watch; NOT_SERVING until the
 * node says otherwise) and server reflection (v1 and v1alpha) over the external API and the
 * health service, so generic clients (`grpcurl -plaintext host:port list`) can list and call them.
 */
export function addHealthAndReflection(server: grpc.Server): GrpcHealth {
  const health = new HealthImplementation({ '': 'NOT_SERVING', [EXTERNAL_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);
  new ReflectionService(reflectedPackage()).addToServer(server);
  return {
    setServing(serving) {
      const status = serving ? 'SERVING' : 'NOT_SERVING';
      health.setStatus('', status);
      health.setStatus(EXTERNAL_SERVICE, status);
    },
  };
}
