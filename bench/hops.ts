// `npm run bench -- --hops`: what one write costs each process when commands go one at a time.
// One key, HSETs that change its field every time, sent to the key's leader or to another node
// (which forwards to the leader), on a three-node cluster with replicas 0 and 2 (sync); beside
// it the bare server and one node. Every command is a round trip (StreamCommand, one in flight,
// or RunCommand C=1), so the figures are the per-message costs that batching cannot hide.
import * as grpc from '@grpc/grpc-js';
import type { ExternalServerClient } from '../internal/gen/externalpb/ExternalServer.js';
import { decodeReply, loadProtos } from '../internal/wire/index.js';
import { cpuMicros } from './children.js';
import { FIELD, valueVariant } from './load-plan.js';
import { mdTable } from './report.js';
import { startBare, startGokv, type Target } from './targets.js';

const KEY = 'key:hops00000000';
const WARMUP_MS = 2000;
const MEASURE_MS = 4000;

interface HopRow {
  readonly setup: string;
  readonly sentTo: string;
  readonly mode: string;
  readonly perSec: number;
  readonly rttUs: number;
  /** Server CPU per command for each process, in the target's order. */
  readonly perProcessUs: readonly number[];
}

const field = Buffer.from(FIELD);
let counter = 0;
/** An HSET that changes KEY's field every time (a value gokv has not seen for it yet). */
const nextSet = () => ({ command: 'HSET', key: KEY, args: [field, Buffer.from(valueVariant(counter++))] });

function client(address: string): ExternalServerClient {
  const { external } = loadProtos();
  return new external.externalpb.ExternalServer(address, grpc.credentials.createInsecure());
}

/** Sends one command at a time until `ms` passed; resolves with the number completed. */
function roundTrips(c: ExternalServerClient, mode: 'stream' | 'unary', ms: number): Promise<number> {
  const end = performance.now() + ms;
  let n = 0;
  return new Promise((resolve, reject) => {
    if (mode === 'unary') {
      const go = (): void =>
        void c.RunCommand(nextSet(), (err) => {
          if (err) return reject(err);
          n++;
          if (performance.now() < end) go();
          else resolve(n);
        });
      go();
      return;
    }
    const call = c.StreamCommand();
    call.on('data', (res: { error?: string }) => {
      if (res.error) return reject(new Error(res.error));
      n++;
      if (performance.now() < end) call.write(nextSet());
      else {
        call.end();
        resolve(n);
      }
    });
    call.on('error', reject);
    call.write(nextSet());
  });
}

async function measure(target: Target, setup: string, sentTo: string, address: string, mode: 'stream' | 'unary'): Promise<HopRow> {
  const c = client(address);
  try {
    await roundTrips(c, mode, WARMUP_MS);
    const pids = target.procs.map((p) => p.child.pid!);
    const before = pids.map(cpuMicros);
    const t0 = performance.now();
    const n = await roundTrips(c, mode, MEASURE_MS);
    const elapsedUs = (performance.now() - t0) * 1000;
    return {
      setup,
      sentTo,
      mode: mode === 'stream' ? 'Stream 1x1' : 'Run C=1',
      perSec: n / (elapsedUs / 1e6),
      rttUs: elapsedUs / n,
      perProcessUs: pids.map((pid, i) => (cpuMicros(pid) - before[i]!) / n),
    };
  } finally {
    c.close();
  }
}

/** The index (in target order) of the node that leads KEY, from EXPLAIN. */
async function leaderIndex(target: Target): Promise<number> {
  const c = client(target.addresses[0]!);
  try {
    const bytes = await new Promise<Uint8Array>((resolve, reject) =>
      c.RunCommand({ command: 'EXPLAIN', key: KEY, args: [] }, (err, res) => (err || !res ? reject(err) : resolve(res.response))),
    );
    const reply = decodeReply(bytes);
    const leader = String(reply instanceof Map ? reply.get('leader') : reply);
    const index = target.procs.findIndex((p) => p.name === leader);
    if (index < 0) throw new Error(`EXPLAIN named leader ${leader}, not one of ${target.procs.map((p) => p.name).join(', ')}`);
    return index;
  } finally {
    c.close();
  }
}

export async function runHops(log: (line: string) => void): Promise<HopRow[]> {
  const rows: HopRow[] = [];
  const modes = ['stream', 'unary'] as const;
  for (const kind of ['bare', 'single'] as const) {
    const target = kind === 'bare' ? await startBare() : await startGokv(1);
    try {
      for (const mode of modes) rows.push(await measure(target, kind, '-', target.addresses[0]!, mode));
    } finally {
      await target.stop();
    }
  }
  for (const replicas of [0, 2]) {
    const target = await startGokv(3, [], { replicas });
    try {
      const leader = await leaderIndex(target);
      // Processes reordered so the leader comes first, the node the client uses second.
      const other = (leader + 1) % 3;
      const order = [leader, other, (leader + 2) % 3];
      const ordered: Target = { ...target, procs: order.map((i) => target.procs[i]!) };
      for (const mode of modes) {
        for (const [sentTo, index] of [['leader', leader], ['other', other]] as const) {
          rows.push(await measure(ordered, `3 nodes, replicas ${replicas}`, sentTo, target.addresses[index]!, mode));
          log(`hops: replicas ${replicas}, ${mode} to ${sentTo} done`);
        }
      }
    } finally {
      await target.stop();
    }
  }
  return rows;
}

export function hopsTable(rows: readonly HopRow[]): string {
  const head = ['setup', 'sent to', 'mode', 'cmds/s', 'round trip us', 'CPU us/cmd: leader (or the server)', 'other (entry)', 'third', 'all'];
  return mdTable(
    head,
    rows.map((r) => [
      r.setup,
      r.sentTo,
      r.mode,
      r.perSec.toFixed(0),
      r.rttUs.toFixed(0),
      ...[0, 1, 2].map((i) => (r.perProcessUs[i] === undefined ? '-' : r.perProcessUs[i]!.toFixed(0))),
      r.perProcessUs.reduce((a, b) => a + b, 0).toFixed(0),
    ]),
  );
}
