// `npm run build:bench && node dist/bench/codec-micro.js [--ops N] [--rounds N]`: what a
// StreamCommand request and its reply cost to decode and encode on the server, in ns per
// command, proto-loader's codec (followed by the conversion the server made of its Buffers)
// against gokv's command codec (wire/command-codec.ts). The request is an HSET of the bench's
// shape (16 B key, 16 B field, 32 B value); the reply the one-byte MessagePack integer.
// Rounds alternate the two, so the machine's drift falls on both.
import { performance } from 'node:perf_hooks';
import { binFromBuffer, binFromText } from '../internal/store/index.js';
import { decodeCommandRequest, encodeCommandResponse, encodeReply, loadProtos } from '../internal/wire/index.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 100_000_000) throw new Error(`${name}: a whole number from 1 to 100000000`);
  return n;
}

const ops = flag('--ops', 2_000_000);
const rounds = flag('--rounds', 5);
const run = loadProtos().external.externalpb.ExternalServer.service.RunCommand;
const request = run.requestSerialize({
  command: 'HSET',
  key: 'key:000000012345',
  args: [Buffer.from('field:0000000001'), Buffer.alloc(32, 0x61)],
}) as Buffer;
const reply = { response: encodeReply(1) };

// The result of each decode is kept in a sink so V8 cannot drop the work.
let sink = 0;

function protoLoader(): void {
  const req = run.requestDeserialize(request) as { command: string; key: string; args: Buffer[] };
  const args = req.args.map(binFromBuffer);
  sink += req.command.length + binFromText(req.key).length + args.length;
  sink += (run.responseSerialize(reply) as Buffer).length;
}

function commandCodec(): void {
  const req = decodeCommandRequest(request);
  sink += req.name.length + req.key.length + req.args.length;
  sink += encodeCommandResponse(reply).length;
}

function time(fn: () => void): number {
  const start = performance.now();
  for (let i = 0; i < ops; i++) fn();
  return ((performance.now() - start) * 1e6) / ops;
}

time(protoLoader);
time(commandCodec);
const results = { 'proto-loader': [] as number[], 'command codec': [] as number[] };
for (let r = 0; r < rounds; r++) {
  results['proto-loader'].push(time(protoLoader));
  results['command codec'].push(time(commandCodec));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`request ${request.length} B, ${ops} commands x ${rounds} alternating rounds, ns per command (decode + encode):`);
for (const [name, xs] of Object.entries(results)) {
  console.log(`  ${name.padEnd(14)} median ${median(xs).toFixed(0).padStart(5)}  range ${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`);
}
console.log(`  ratio (codec / proto-loader, medians): ${(median(results['command codec']) / median(results['proto-loader'])).toFixed(2)}x  (sink ${sink % 10})`);
