import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { testConfig } from '../../internal/config/index.js';
import { silentLogger } from '../../internal/log/index.js';
import { startNode, type GokvNode } from '../../internal/node/index.js';
import { ERROR_CODE_METADATA, decodeCommandRequest, loadProtos } from '../../internal/wire/index.js';
import { command } from './command-arbitraries.js';
import { LIMITS } from './command-path.js';

// The servers under random and mutated input: raw protobuf frames to the external gRPC
// RunCommand and StreamCommand (valid CommandRequest encodings with bits flipped, cut or
// padded, and random bytes), and random bodies to REST's /v1/command and /command. Every call
// must answer within its deadline with a reply or an error that is not gokv's INTERNAL (REST:
// never a 5xx); oversize messages and argument lists are refused; the node keeps serving.

export const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_MEMORY = 4 * 1024 * 1024;
const DEADLINE_MS = 10_000;

export interface ServerFuzzCounts {
  unaryFrames: number;
  streamFrames: number;
  restBodies: number;
  grpcStatuses: Record<string, number>;
  restStatuses: Record<string, number>;
  oversizeRefused: number;
  tooManyArgsRefused: number;
  heapGrowthMb: number;
  storeBytes: number;
}

export async function startFuzzNode(): Promise<GokvNode> {
  const config = testConfig({
    node: { id: 'fuzz' },
    limits: { maxArgs: LIMITS.maxArgs, maxValueBytes: LIMITS.maxValueBytes, maxMessageBytes: MAX_MESSAGE_BYTES },
    memory: { maxMemoryBytes: MAX_MEMORY, evictionPolicy: 'allkeys-lru' },
    rebalance: { batchBytes: MAX_MESSAGE_BYTES / 2 },
  });
  return startNode(config, { log: silentLogger() });
}

const RUN = '/externalpb.ExternalServer/RunCommand';
const STREAM = '/externalpb.ExternalServer/StreamCommand';
const identity = (b: Buffer) => b;

/** A valid CommandRequest frame for a random command. */
function encodeRequest(name: string, key: string, args: string[]): Buffer {
  const service = loadProtos().external.externalpb.ExternalServer.service;
  return service.RunCommand.requestSerialize({
    command: name,
    key: Buffer.from(key, 'latin1').toString('utf8'),
    args: args.map((a) => Buffer.from(a, 'latin1')),
  });
}

const validFrame = command.map((c) => encodeRequest(c.name, c.key, c.args));

/** Valid frames with bytes flipped, cut short, padded with garbage; and plain random bytes. */
export const frame: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: validFrame },
  {
    weight: 4,
    arbitrary: fc.tuple(validFrame, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 })).map(([f, flips]) => {
      const out = Buffer.from(f);
      for (const [at, x] of flips) if (out.length > 0) out[at % out.length] = out[at % out.length]! ^ x;
      return out;
    }),
  },
  { weight: 2, arbitrary: fc.tuple(validFrame, fc.nat()).map(([f, n]) => f.subarray(0, f.length === 0 ? 0 : n % f.length)) },
  { weight: 1, arbitrary: fc.tuple(validFrame, fc.uint8Array({ maxLength: 32 })).map(([f, g]) => Buffer.concat([f, g])) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
);

function unary(client: grpc.Client, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(RUN, identity, identity, bytes, { deadline: Date.now() + DEADLINE_MS }, (err) => {
      if (!err) return resolve('OK');
      if (err.code === grpc.status.DEADLINE_EXCEEDED) return reject(new Error('RunCommand did not answer within its deadline'));
      if (err.metadata?.get(ERROR_CODE_METADATA)[0] === 'INTERNAL') return reject(new Error(`gokv INTERNAL: ${err.details}`));
      resolve(grpc.status[err.code] ?? String(err.code));
    });
  });
}

/**
 * Sends frames on one StreamCommand; resolves with how it ended. Known grpc-js 1.14.7 race: when
 * a malformed frame is decoded while a reply is still being written, the server ends the call
 * without trailers and the client waits for its deadline (the server has already released the
 * call: its handler got 'cancelled'). gokv's deserializer no longer throws on a malformed
 * CommandRequest (it is answered in-band), so that should not happen now; such a stream would
 * resolve as 'no-trailers' and be counted. A stream of well-formed frames that does not end is a
 * failure.
 */
function stream(client: grpc.Client, frames: readonly Buffer[], wellFormed: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = client.makeBidiStreamRequest(STREAM, identity, identity, { deadline: Date.now() + (wellFormed ? DEADLINE_MS : 2_000) });
    call.on('data', () => undefined);
    call.on('error', (err: grpc.ServiceError) => {
      if (err.code !== grpc.status.DEADLINE_EXCEEDED) resolve(grpc.status[err.code] ?? String(err.code)); // a malformed frame ends the stream
      else if (!wellFormed) resolve('no-trailers');
      else reject(new Error('StreamCommand of well-formed frames did not end within its deadline'));
    });
    call.on('end', () => resolve('OK'));
    for (const f of frames) call.write(f);
    call.end();
  });
}

/**
 * Whether every frame decodes as a CommandRequest, as gokv's codec (wire/command-codec.ts) sees
 * it. proto-loader's is not the oracle: it accepts a string field cut short (protobufjs clamps
 * it to the buffer's end), which gokv's codec refuses.
 */
function decodes(frames: readonly Buffer[]): boolean {
  try {
    for (const f of frames) decodeCommandRequest(f);
    return true;
  } catch {
    return false;
  }
}

const restBody: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: command.map((c) => JSON.stringify({ command: c.name, key: c.key, args: c.args })) },
  { weight: 2, arbitrary: command.map((c) => JSON.stringify({ command: [c.name, c.key, ...c.args].join(' ') })) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.record({ command: fc.jsonValue(), key: fc.jsonValue(), args: fc.jsonValue(), encoding: fc.constantFrom('base64', 'utf8', 'x') }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 64, unit: 'binary' }) },
);

/** Fuzzes the servers of `node`: `frames` unary frames, as many stream frames, `bodies` REST bodies. */
export async function fuzzServers(node: GokvNode, options: { frames: number; bodies: number; seed: number }): Promise<ServerFuzzCounts> {
  const counts: ServerFuzzCounts = {
    unaryFrames: 0, streamFrames: 0, restBodies: 0, grpcStatuses: {}, restStatuses: {}, oversizeRefused: 0, tooManyArgsRefused: 0,
    heapGrowthMb: 0, storeBytes: 0,
  };
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const client = new grpc.Client(node.addresses.grpc!, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 4 * MAX_MESSAGE_BYTES,
  });
  const tally = (map: Record<string, number>, k: string) => (map[k] = (map[k] ?? 0) + 1);
  const batch = 16;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: batch, maxLength: batch }), async (frames) => {
        const [results, streamed] = await Promise.all([Promise.all(frames.map((f) => unary(client, f))), stream(client, frames, decodes(frames))]);
        for (const r of results) tally(counts.grpcStatuses, r);
        tally(counts.grpcStatuses, `stream:${streamed}`);
        counts.unaryFrames += frames.length;
        counts.streamFrames += frames.length;
      }),
      { numRuns: Math.ceil(options.frames / batch), seed: options.seed, endOnFailure: true },
    );
    // Over the limits: one message past max_message_bytes, and one argument list past max_args.
    for (let i = 0; i < 20; i++) {
      const big = encodeRequest('HSET', `big${i}`, ['f', 'x'.repeat(MAX_MESSAGE_BYTES + i)]);
      if ((await unary(client, big)) === 'RESOURCE_EXHAUSTED') counts.oversizeRefused++;
      const many = encodeRequest('HSET', `many${i}`, Array.from({ length: 2 * (LIMITS.maxArgs + i) }, (_, j) => `a${j}`));
      if ((await unary(client, many)) === 'RESOURCE_EXHAUSTED') counts.tooManyArgsRefused++;
    }
    const rest = `http://${node.addresses.rest}`;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(restBody, fc.boolean()), { minLength: batch, maxLength: batch }), async (bodies) => {
        const statuses = await Promise.all(
          bodies.map(async ([body, legacy]) => {
            const res = await fetch(`${rest}${legacy ? '/command' : '/v1/command'}`, { method: 'POST', body, signal: AbortSignal.timeout(DEADLINE_MS) });
            await res.arrayBuffer();
            return res.status;
          }),
        );
        for (const s of statuses) {
          tally(counts.restStatuses, String(s));
          if (s >= 500 && s !== 503 && s !== 504 && s !== 507) throw new Error(`REST answered ${s}`);
        }
        counts.restBodies += bodies.length;
      }),
      { numRuns: Math.ceil(options.bodies / batch), seed: options.seed, endOnFailure: true },
    );
    const huge = await fetch(`${rest}/v1/command`, { method: 'POST', body: JSON.stringify({ command: 'HSET', key: 'k', args: ['f', 'x'.repeat(MAX_MESSAGE_BYTES)] }) });
    await huge.arrayBuffer();
    tally(counts.restStatuses, `oversize:${huge.status}`);
    // Still serving, and correctly.
    if ((await unary(client, encodeRequest('PING', '', []))) !== 'OK') throw new Error('the node stopped answering PING');
  } finally {
    client.close();
  }
  // Measured after a full GC when node runs with --expose-gc (npm run fuzz does); else an upper bound.
  gc?.();
  counts.heapGrowthMb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20);
  if (gc !== undefined && counts.heapGrowthMb > 64) throw new Error(`heap grew by ${counts.heapGrowthMb} MB`);
  counts.storeBytes = node.store.usedMemory;
  if (counts.storeBytes > MAX_MEMORY + MAX_MESSAGE_BYTES) throw new Error(`store at ${counts.storeBytes} bytes, over max_memory`);
  return counts;
}
