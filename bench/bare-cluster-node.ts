// One node of the bare cluster: the transport ceiling of a three-node write. It does what a gokv
// node does on the network for a command, and nothing else: a command whose key another node
// leads goes there over one long-lived Forward stream; the leader sends each write to every other
// node over a Replicate stream and answers once all of them have acknowledged it (sync, as
// `replicas: 2` on three nodes). Batches are collected per tick, as gokv's ForwardStream,
// ReplicaLink and forward-reply batcher collect them; messages use gokv's internal proto. No
// store, no versions, no membership: replies are the fixed ones of bench/bare-replies.ts.
// The leader of a key is a hash of it modulo the node count, which, like gokv's ring, sends two
// thirds of the commands of a client on one node to another node.
// Usage: node bench/bare-cluster-node.ts INDEX EXTERNAL_ADDRS INTERNAL_ADDRS (comma-separated).
import * as grpc from '@grpc/grpc-js';
import type { InternalServerClient } from '../internal/gen/internalpb/InternalServer.js';
import type { ReplicationAck, ReplicationOp } from '../internal/replication/index.js';
import {
  decodeReplicateAck,
  decodeReplicateBatch,
  encodeReplicateAck,
  encodeReplicateBatch,
  type ExternalHandlers,
  type InternalHandlers,
  type ReplicateBatchMessage,
} from '../internal/server/index.js';
import { DEFAULT_CONFIG } from '../internal/config/index.js';
import { serverOptions } from '../internal/server/grpc-server.js';
import { StreamPipeline } from '../internal/server/stream-pipeline.js';
import { binToBuffer, Deque, type BinStr } from '../internal/store/index.js';
import {
  decodeForwardBatch,
  decodeForwardReplyBatch,
  encodeForwardBatch,
  encodeForwardReplyBatch,
  loadProtos,
  withCommandCodec,
  type CommandReply,
  type DecodedCommand,
  type ForwardBatchMessage,
  type ForwardedCommandMessage,
  type ForwardReplyBatchMessage,
  type ForwardReplyMessage,
} from '../internal/wire/index.js';
import { bareLeaderOf, bareReply, isWrite } from './bare-replies.js';

const self = Number(process.argv[2]);
const externals = (process.argv[3] ?? '').split(',');
const internals = (process.argv[4] ?? '').split(',');
const nodes = internals.length;
if (!Number.isInteger(self) || self < 0 || self >= nodes || externals.length !== nodes) {
  process.stderr.write('usage: bare-cluster-node INDEX EXTERNAL_ADDRS INTERNAL_ADDRS\n');
  process.exit(2);
}
const others = [...internals.keys()].filter((i) => i !== self);
const { external, internal } = loadProtos();
// Forward and Replicate use gokv's hand-written codecs (wire/forward-codec.ts,
// server/replicate-codec.ts) on both ends, as gokv does.
const { Forward: forwardMethod, Replicate: replicateMethod } = internal.internalpb.InternalServer.service;
const internalDefinition = {
  ...internal.internalpb.InternalServer.service,
  Forward: { ...forwardMethod, requestDeserialize: decodeForwardBatch, responseSerialize: encodeForwardReplyBatch },
  Replicate: { ...replicateMethod, requestDeserialize: decodeReplicateBatch, responseSerialize: encodeReplicateAck },
};

/** Opens a stream on first use: at start the other nodes may not listen yet. */
function lazy<T>(open: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= open());
}

/** Collects what is pushed in one tick and sends it as one message at the tick's end. */
class TickBatch<T> {
  private items: T[] = [];
  private scheduled = false;
  constructor(private readonly send: (items: T[]) => void) {}
  push(item: T): void {
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const items = this.items;
      this.items = [];
      this.send(items);
    });
  }
}

const clients = new Map<number, InternalServerClient>(
  others.map((i) => [i, new internal.internalpb.InternalServer(internals[i]!, grpc.credentials.createInsecure())]),
);

// --- Leader: each write goes to every other node; answered once all of them acked it.
let lastSeq = 0;
const ackedBy = new Map<number, number>(others.map((i) => [i, 0]));
const waiting = new Deque<{ seq: number; done: () => void }>();

function onAck(peer: number, ackedSeq: number): void {
  ackedBy.set(peer, Math.max(ackedBy.get(peer)!, ackedSeq));
  const low = Math.min(...ackedBy.values());
  while (waiting.length > 0 && waiting.at(0)!.seq <= low) waiting.popFront()!.done();
}

const replicaLinks = others.map((peer) => {
  const call = lazy(() => {
    const c = clients.get(peer)!.makeBidiStreamRequest(replicateMethod.path, encodeReplicateBatch, decodeReplicateAck);
    c.on('data', (ack: ReplicationAck) => onAck(peer, ack.ackedSeq));
    c.on('error', (err) => process.stderr.write(`bare-cluster ${self}: replicate to ${peer}: ${err.message}\n`));
    return c;
  });
  return new TickBatch<ReplicationOp>((ops) => call().write({ leaderId: String(self), ops } satisfies ReplicateBatchMessage));
});

function lead(command: string, key: BinStr, args: readonly BinStr[]): CommandReply | Promise<CommandReply> {
  const reply = bareReply(command);
  if (!isWrite(command) || replicaLinks.length === 0) return reply;
  const seq = ++lastSeq;
  const op: ReplicationOp = { seq, write: { name: command, key, args, version: seq, prevVersion: seq - 1 } };
  for (const link of replicaLinks) link.push(op);
  return new Promise((resolve) => waiting.pushBack({ seq, done: () => resolve(reply) }));
}

// --- Entry: a command for a key another node leads is forwarded there.
const forwards = new Map(
  others.map((peer) => {
    const pending = new Map<number, (reply: CommandReply) => void>();
    const call = lazy(() => {
      const c = clients.get(peer)!.makeBidiStreamRequest(forwardMethod.path, encodeForwardBatch, decodeForwardReplyBatch);
      c.on('data', (batch: ForwardReplyBatchMessage) => {
        for (const r of batch.replies) {
          pending.get(r.id)?.({ response: r.response! });
          pending.delete(r.id);
        }
      });
      c.on('error', (err) => process.stderr.write(`bare-cluster ${self}: forward to ${peer}: ${err.message}\n`));
      return c;
    });
    const batch = new TickBatch<ForwardedCommandMessage>((commands) =>
      call().write({ commands, fromNodeId: '', fromIncarnation: 0 } satisfies ForwardBatchMessage),
    );
    let nextId = 1;
    const send = (name: string, key: BinStr, args: readonly BinStr[]): Promise<CommandReply> => {
      const id = nextId++;
      batch.push({ id, name, key, args, hops: 1, replicaRead: false });
      return new Promise((resolve) => pending.set(id, resolve));
    };
    return [peer, send] as const;
  }),
);

// Requests arrive through gokv's command codec as binary strings, which gokv's Forward and
// Replicate codecs write straight into their messages. Only the leader's hash reads bytes.
function execute(req: DecodedCommand): CommandReply | Promise<CommandReply> {
  const leader = bareLeaderOf(binToBuffer(req.key), nodes);
  return leader === self ? lead(req.name, req.key, req.args) : forwards.get(leader)!(req.name, req.key, req.args);
}

const externalHandlers: ExternalHandlers = {
  Healthcheck(_call, callback) {
    callback(null, {
      ringVersion: 1,
      peers: externals.map((addr, i) => ({ nodeId: `bare${nodes}-${i + 1}`, nodeAddr: addr, alive: true, status: 'alive' })),
    });
  },
  RunCommand(call, callback) {
    const result = execute(call.request);
    if (result instanceof Promise) void result.then((reply) => callback(null, reply));
    else callback(null, result);
  },
  StreamCommand(call) {
    // Replies in request order, as gokv's streams answer (a forwarded command may finish later).
    const pipeline = new StreamPipeline<CommandReply>(
      { write: (m) => call.write(m), pauseInput: () => call.pause(), resumeInput: () => call.resume(), end: () => call.end() },
      256,
    );
    call.on('drain', () => pipeline.onDrain());
    call.on('data', (req: DecodedCommand) => pipeline.push(execute(req)));
    call.on('end', () => pipeline.endInput());
    call.on('error', () => pipeline.cancel());
  },
};

const internalHandlers: Partial<InternalHandlers> = {
  Forward(call) {
    const out = new TickBatch<ForwardReplyMessage>((replies) => call.write({ replies }));
    call.on('data', (batch: ForwardBatchMessage) => {
      for (const c of batch.commands) {
        const result = lead(c.name, c.key, c.args);
        if (result instanceof Promise) void result.then((r) => out.push({ id: c.id, response: r.response! }));
        else out.push({ id: c.id, response: result.response! });
      }
    });
    call.on('end', () => call.end());
    call.on('error', () => undefined);
  },
  Replicate(call) {
    call.on('data', (batch: ReplicateBatchMessage) =>
      call.write({ ackedSeq: batch.ops.at(-1)?.seq ?? 0, resyncKeys: [] } satisfies ReplicationAck),
    );
    call.on('end', () => call.end());
    call.on('error', () => undefined);
  },
};

const servers = [
  { addr: externals[self]!, service: withCommandCodec(external.externalpb.ExternalServer.service), handlers: externalHandlers },
  { addr: internals[self]!, service: internalDefinition, handlers: internalHandlers },
].map(({ addr, service, handlers }) => {
  const server = new grpc.Server(serverOptions({ ...DEFAULT_CONFIG.limits, maxMessageBytes: 64 * 1024 * 1024 }));
  server.addService(service, handlers as grpc.UntypedServiceImplementation);
  server.bindAsync(addr, grpc.ServerCredentials.createInsecure(), (err) => {
    if (err) {
      process.stderr.write(`bare-cluster ${self}: ${err.message}\n`);
      process.exit(1);
    }
  });
  return server;
});

// No drain: the bench stops the bare cluster only between runs (exiting writes a --cpu-prof profile).
const stop = (): void => {
  for (const c of clients.values()) c.close();
  for (const s of servers) s.forceShutdown();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
