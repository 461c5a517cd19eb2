// A load generator process (forked by the bench, several at once): it holds gRPC clients and runs
// one share of a run at a time as the coordinator asks over IPC, counting only the operations
// that complete inside the measured window [t0, t1] and recording their latency.
import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../internal/wire/index.js';
import type { ExternalServerClient } from '../internal/gen/externalpb/ExternalServer.js';
import type { CommandResponse__Output } from '../internal/gen/commonpb/CommandResponse.js';
import { Histogram } from './histogram.js';
import { preloadRequest, requestSource, type WorkerMessage, type WorkerPreload, type WorkerResult, type WorkerRun } from './load-plan.js';

const clients = new Map<string, ExternalServerClient>();
function client(address: string): ExternalServerClient {
  let c = clients.get(address);
  if (!c) {
    const { external } = loadProtos();
    c = new external.externalpb.ExternalServer(address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    });
    clients.set(address, c);
  }
  return c;
}

const wall = (): number => performance.timeOrigin + performance.now();

class Tally {
  readonly hist = new Histogram();
  ops = 0;
  errors = 0;
  firstError: string | undefined;
  constructor(private readonly t0: number, private readonly t1: number) {}

  /** An operation sent at `sentAt` finished now (wall ms). */
  done(sentAt: number, error?: string): void {
    const now = wall();
    if (now < this.t0 || now > this.t1) return;
    if (error !== undefined) {
      this.errors++;
      this.firstError ??= error;
      return;
    }
    this.ops++;
    this.hist.record((now - sentAt) * 1000);
  }
}

function runUnary(run: WorkerRun, slots: number, tally: Tally): Promise<void> {
  return new Promise((resolve) => {
    let active = slots;
    for (let s = 0; s < slots; s++) {
      const next = requestSource(run.scenario, run.seed + s * 7919, run.keys);
      const c = client(run.addresses[(run.offset + s) % run.addresses.length]!);
      const issue = (): void => {
        if (wall() >= run.t1) {
          if (--active === 0) resolve();
          return;
        }
        const sentAt = wall();
        c.RunCommand(next(), (err) => {
          tally.done(sentAt, err ? err.message : undefined);
          issue();
        });
      };
      issue();
    }
  });
}

function runStream(run: WorkerRun, streams: number, window: number, tally: Tally): Promise<void> {
  const one = (index: number): Promise<void> =>
    new Promise((resolve) => {
      const next = requestSource(run.scenario, run.seed + index * 7919, run.keys);
      const call = client(run.addresses[index % run.addresses.length]!).StreamCommand();
      const sent: number[] = [];
      let head = 0;
      let ended = false;
      const send = (): void => {
        sent.push(wall());
        call.write(next());
      };
      call.on('data', (res: CommandResponse__Output) => {
        tally.done(sent[head++]!, res.error ? res.error : undefined);
        if (head > 4096) {
          sent.splice(0, head);
          head = 0;
        }
        if (wall() < run.t1) send();
        else if (!ended && head === sent.length) {
          ended = true;
          call.end();
        }
      });
      call.on('error', (err) => {
        tally.done(wall(), err.message);
        resolve();
      });
      call.on('end', () => resolve());
      for (let i = 0; i < window; i++) send();
    });
  const all: Array<Promise<void>> = [];
  for (let s = 0; s < streams; s++) all.push(one(run.offset + s));
  return Promise.all(all).then(() => undefined);
}

function runRate(run: WorkerRun, opsPerSec: number, maxInFlight: number, tally: Tally): Promise<void> {
  return new Promise((resolve) => {
    const next = requestSource(run.scenario, run.seed, run.keys);
    const interval = 1000 / opsPerSec;
    let due = wall();
    let inFlight = 0;
    let sentCount = 0;
    const pump = (): void => {
      const now = wall();
      while (due <= now && due < run.t1 && inFlight < maxInFlight) {
        const intended = due;
        due += interval;
        inFlight++;
        const c = client(run.addresses[sentCount++ % run.addresses.length]!);
        c.RunCommand(next(), (err) => {
          inFlight--;
          tally.done(intended, err ? err.message : undefined);
          if (inFlight === 0 && due >= run.t1) resolve();
        });
      }
      if (due < run.t1) setTimeout(pump, 1);
      else if (inFlight === 0) resolve();
    };
    pump();
  });
}

async function preload(msg: WorkerPreload): Promise<void> {
  const window = 256;
  let nextKey = msg.from;
  await new Promise<void>((resolve, reject) => {
    const call = client(msg.addresses[msg.from % msg.addresses.length]!).StreamCommand();
    let pending = 0;
    const fill = (): void => {
      while (pending < window && nextKey < msg.to) {
        pending++;
        call.write(preloadRequest(nextKey++));
      }
      if (pending === 0) call.end();
    };
    call.on('data', (res: CommandResponse__Output) => {
      if (res.error) reject(new Error(`preload: ${res.error}`));
      pending--;
      fill();
    });
    call.on('error', reject);
    call.on('end', () => resolve());
    fill();
  });
}

async function run(msg: WorkerRun): Promise<WorkerResult> {
  const tally = new Tally(msg.t0, msg.t1);
  const mode = msg.mode;
  if (mode.kind === 'unary') await runUnary(msg, mode.inFlight, tally);
  else if (mode.kind === 'stream') await runStream(msg, mode.streams, mode.window, tally);
  else await runRate(msg, mode.opsPerSec, mode.maxInFlight, tally);
  const result: WorkerResult = { type: 'result', ops: tally.ops, errors: tally.errors, hist: tally.hist.toSparse() };
  return tally.firstError === undefined ? result : { ...result, firstError: tally.firstError };
}

process.channel?.ref();
process.on('message', (msg: WorkerMessage) => {
  const work = msg.type === 'run' ? run(msg) : preload(msg).then(() => ({ type: 'preloaded' as const }));
  work.then(
    (reply) => process.send?.(reply),
    (err: unknown) => process.send?.({ type: 'failed', message: err instanceof Error ? err.message : String(err) }),
  );
});
process.send?.({ type: 'ready' });
