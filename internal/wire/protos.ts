import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as ExternalProto } from '../gen/external.js';
import type { ProtoGrpcType as InternalProto } from '../gen/internal.js';

/** Options shared by the loader and `npm run gen:proto`, so generated types match at run time. */
const LOADER_OPTIONS: protoLoader.Options = {
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Finds `proto/` from here whether running from source (internal/wire) or dist/internal/wire. */
export function protoDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'commonpb', 'common.proto'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('proto/ directory not found beside the gokv installation');
}

let cached: { external: ExternalProto; internal: InternalProto } | undefined;

/** Loads the external and internal service definitions once per process. */
export function loadProtos(): { external: ExternalProto; internal: InternalProto } {
  if (cached) return cached;
  const includeDirs = [protoDir()];
  const load = (file: string) =>
    grpc.loadPackageDefinition(protoLoader.loadSync(file, { ...LOADER_OPTIONS, includeDirs }));
  cached = {
    external: load('externalpb/external.proto') as unknown as ExternalProto,
    internal: load('internalpb/internal.proto') as unknown as InternalProto,
  };
  return cached;
}
