// `npm run build:bench && node dist/bench/codec-micro.js [--ops N] [--rounds N]`: what gokv's
// hand-written codecs save over proto-loader's, in ns per command, rounds alternating the two
// so the machine's drift falls on both.
// - command: a StreamCommand request decoded and its reply encoded on the server
//   (wire/command-codec.ts). The request is an HSET of the bench's shape (16 B key, 16 B field,
//   32 B value), the reply the one-byte MessagePack integer. proto-loader's side includes the
//   conversion of its Buffers to binary strings the server then made.
// - forward: a Forward batch of 64 such commands encoded by an entry node and decoded by the
//   leader, and their replies both ways (wire/forward-codec.ts); per command.
// - replicate: a Replicate batch of 64 such writes encoded by a leader and decoded by a replica,
//   and the ack both ways (server/replicate-codec.ts); per write.
// On the internal streams proto-loader's side includes the conversions between gokv's strings
// and its Buffers.
import { performance } from 'node:perf_hooks';
import type { ReplicationOp } from '../internal/replication/index.js';
import { decodeReplicateAck, decodeReplicateBatch, encodeReplicateAck, encodeReplicateBatch } from '../internal/server/index.js';
import { binFromBuffer, binFromText, binToBuffer } from '../internal/store/index.js';
import {
  decodeCommandRequest,
  decodeForwardBatch,
  decodeForwardReplyBatch,
  encodeCommandResponse,
  encodeForwardBatch,
  encodeForwardReplyBatch,
  encodeReply,
  loadProtos,
  type ForwardedCommandMessage,
} from '../internal/wire/index.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 100_000_000) throw new Error(`${name}: a whole number from 1 to 100000000`);
  return n;
}

const ops = flag('--ops', 2_000_000);
const rounds = flag('--rounds', 5);
const { external, internal } = loadProtos();
const run = external.externalpb.ExternalServer.service.RunCommand;
const { Forward: forward, Replicate: replicate } = internal.internalpb.InternalServer.service;

const request = run.requestSerialize({
  command: 'HSET',
  key: 'key:000000012345',
  args: [Buffer.from('field:0000000001'), Buffer.alloc(32, 0x61)],
}) as Buffer;
const reply = { response: encodeReply(1) };

const BATCH = 64;
const writes: ReplicationOp[] = Array.from({ length: BATCH }, (_, i) => ({
  seq: 1000 + i,
  write: { name: 'HSET', key: `key:${String(i).padStart(12, '0')}`, args: ['field:0000000001', 'a'.repeat(32)], version: 1e12 + i, prevVersion: 1e12 },
}));
const ack = { ackedSeq: 1000 + BATCH - 1, resyncKeys: [] };
const forwarded: ForwardedCommandMessage[] = writes.map(({ seq, write: w }) => ({ id: seq, name: w!.name, key: w!.key, args: w!.args, hops: 1, replicaRead: false }));
const forwardReplies = forwarded.map((c) => ({ id: c.id, response: reply.response, error: '', errorCode: '' }));

// The result of each decode is kept in a sink so V8 cannot drop the work.
let sink = 0;

const cases = {
  command: {
    perRun: 1,
    'proto-loader': () => {
      const req = run.requestDeserialize(request);
      const args = req.args.map(binFromBuffer);
      sink += req.command.length + binFromText(req.key).length + args.length;
      sink += run.responseSerialize(reply).length;
    },
    'gokv codec': () => {
      const req = decodeCommandRequest(request);
      sink += req.name.length + req.key.length + req.args.length;
      sink += encodeCommandResponse(reply).length;
    },
  },
  forward: {
    perRun: BATCH,
    'proto-loader': () => {
      const protos = forwarded.map((c) => ({ id: c.id, command: c.name, key: binToBuffer(c.key), args: c.args.map(binToBuffer), hops: c.hops }));
      const batch = forward.requestDeserialize(forward.requestSerialize({ commands: protos, fromNodeId: 'node-1', fromIncarnation: 3 }));
      for (const c of batch.commands) sink += binFromBuffer(c.key).length + c.args.map(binFromBuffer).length + c.id;
      const replies = forward.responseDeserialize(forward.responseSerialize({ replies: forwardReplies }));
      for (const r of replies.replies) sink += r.response.length;
    },
    'gokv codec': () => {
      const batch = decodeForwardBatch(encodeForwardBatch({ commands: forwarded, fromNodeId: 'node-1', fromIncarnation: 3 }));
      for (const c of batch.commands) sink += c.key.length + c.args.length + c.id;
      const replies = decodeForwardReplyBatch(encodeForwardReplyBatch({ replies: forwardReplies }));
      for (const r of replies.replies) sink += r.response!.length;
    },
  },
  replicate: {
    perRun: BATCH,
    'proto-loader': () => {
      const protos = writes.map(({ seq, write: w }) => ({
        seq,
        command: w!.name,
        key: binToBuffer(w!.key),
        args: w!.args.map(binToBuffer),
        version: w!.version,
        prevVersion: w!.prevVersion,
      }));
      const bytes = replicate.requestSerialize({ leaderId: 'node-1', ops: protos });
      const batch = replicate.requestDeserialize(bytes);
      for (const op of batch.ops) sink += binFromBuffer(op.key).length + op.args.map(binFromBuffer).length + op.seq;
      const a = replicate.responseDeserialize(replicate.responseSerialize(ack));
      sink += a.ackedSeq;
    },
    'gokv codec': () => {
      const batch = decodeReplicateBatch(encodeReplicateBatch({ leaderId: 'node-1', ops: writes }));
      for (const op of batch.ops) sink += op.write!.key.length + op.write!.args.length + op.seq;
      sink += decodeReplicateAck(encodeReplicateAck(ack)).ackedSeq;
    },
  },
};

function time(fn: () => void, perRun: number): number {
  const runs = Math.max(1, Math.floor(ops / perRun));
  const start = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return ((performance.now() - start) * 1e6) / (runs * perRun);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${ops} commands x ${rounds} alternating rounds, ns per command (forward, replicate: batches of ${BATCH}):`);
for (const [name, c] of Object.entries(cases)) {
  const results = { 'proto-loader': [] as number[], 'gokv codec': [] as number[] };
  time(c['proto-loader'], c.perRun);
  time(c['gokv codec'], c.perRun);
  for (let r = 0; r < rounds; r++) {
    results['proto-loader'].push(time(c['proto-loader'], c.perRun));
    results['gokv codec'].push(time(c['gokv codec'], c.perRun));
  }
  for (const [codec, xs] of Object.entries(results)) {
    console.log(`  ${name.padEnd(10)} ${codec.padEnd(13)} median ${median(xs).toFixed(0).padStart(5)}  range ${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`);
  }
  console.log(`  ${name.padEnd(10)} gokv / proto-loader (medians): ${(median(results['gokv codec']) / median(results['proto-loader'])).toFixed(2)}x`);
}
console.log(`(sink ${sink % 10})`);
