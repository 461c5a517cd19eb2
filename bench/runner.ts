// The coordinator's side of a run: forks the load workers, splits a run between them, and reads
// the servers' CPU (/proc) and event-loop utilisation (bench hook) around the measured window.
import { existsSync, readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { cpuMicros, machineBusyMicros, sleep, startTs, stopChild, type Started } from './children.js';
import { Histogram } from './histogram.js';
import { KEY_COUNT, modeLabel, runSeed, type LoadMode, type Scenario, type WorkerMessage, type WorkerResult } from './load-plan.js';
import { scrapeLatency, serverLatency, type ServerLatency } from './server-latency.js';
import type { Target } from './targets.js';

/** The one command a scenario sends, where it sends only one. */
const ONE_COMMAND: Partial<Record<Scenario, string>> = { hset: 'HSET', hget: 'HGET' };

export interface RunResult {
  readonly target: string;
  readonly scenario: Scenario;
  readonly mode: string;
  readonly modeSpec: LoadMode;
  readonly ops: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  /** Server CPU (user + system, all server processes) per completed operation. */
  readonly cpuUsPerOp: number;
  /** Server CPU as % of one core, summed over the target's processes. */
  readonly cpuPct: number;
  /** Load generators' CPU per completed operation (all worker processes). */
  readonly clientUsPerOp: number;
  /** Busy CPU of everything else on the machine during the window, % of one core. */
  readonly otherPct: number;
  /** Mean event-loop utilisation over the target's processes (0..1); null when unknown. */
  readonly elu: number | null;
  /** The worst process's event-loop delay p99 over the window (bench hook), in ms; null when unknown. */
  readonly loopDelayP99Ms: number | null;
  /** Open-loop runs on gokv: the command's latency as the nodes measured it over the window (server-latency.ts). */
  readonly server?: ServerLatency;
  /**
   * Forward and Replicate messages (batches) the target's processes sent each other per
   * completed operation (bench hook); null for a one-process target or when unknown.
   */
  readonly peerMessagesPerOp?: number | null;
}

export interface Timing {
  readonly warmupMs: number;
  readonly measureMs: number;
}

function request<T>(child: ChildProcess, msg: WorkerMessage, expect: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: { type: string; message?: string }) => {
      if (reply.type !== expect && reply.type !== 'failed') return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (reply.type === 'failed') reject(new Error(`worker: ${reply.message}`));
      else resolve(reply as T);
    };
    const onExit = () => reject(new Error('a load worker exited'));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(msg);
  });
}

/** What a hooked process reports on SIGUSR2 (bench-hook.ts). */
export interface HookSample {
  readonly idle: number;
  readonly active: number;
  /** Event-loop delay p99 since the previous sample, in ms. */
  readonly loopDelayP99Ms: number | null;
  /** Forward and Replicate messages sent to peers since the process started. */
  readonly peerMessages?: { readonly forward: number; readonly replicate: number };
}

/**
 * Reads ELU of every hooked process: signals each, waits for the line its hook appends. Each
 * signal also restarts the process's event-loop delay histogram.
 */
async function sampleElu(target: Target): Promise<Array<HookSample | undefined>> {
  return Promise.all(
    target.eluFiles.map(async (file, i) => {
      const pid = target.procs[i]?.child.pid;
      if (file === undefined || pid === undefined) return undefined;
      const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);
      const before = lines().length;
      process.kill(pid, 'SIGUSR2');
      for (let t = 0; t < 200; t++) {
        const now = lines();
        if (now.length > before) return JSON.parse(now[now.length - 1]!) as HookSample;
        await sleep(5);
      }
      return undefined;
    }),
  );
}

/**
 * Forward and Replicate messages sent between the target's processes over the window, per
 * operation: null for a one-process target, or when a process did not answer both samples.
 */
export function peerMessagesPerOp(before: ReadonlyArray<HookSample | undefined>, after: ReadonlyArray<HookSample | undefined>, ops: number): number | null {
  if (after.length < 2 || ops <= 0) return null;
  let sent = 0;
  for (let i = 0; i < after.length; i++) {
    const a = before[i]?.peerMessages;
    const b = after[i]?.peerMessages;
    if (a === undefined || b === undefined) return null;
    sent += b.forward - a.forward + b.replicate - a.replicate;
  }
  return sent / ops;
}

/** The largest event-loop delay p99 of the window's end samples (each covers the window). */
function worstLoopDelay(samples: ReadonlyArray<HookSample | undefined>): number | null {
  const known = samples.flatMap((s) => (s?.loopDelayP99Ms == null ? [] : [s.loopDelayP99Ms]));
  return known.length > 0 ? Math.max(...known) : null;
}

export class LoadWorkers {
  /** Runs so far: each run draws from its own seeds (runSeed). */
  private runs = 0;

  private constructor(
    private readonly workers: Started[],
    private readonly keys: number,
  ) {}

  /** `keys`: how many keys runs draw from and preload writes (`--keys`; KEY_COUNT by default). */
  static async start(count: number, keys = KEY_COUNT): Promise<LoadWorkers> {
    const workers = Array.from({ length: count }, (_, i) => startTs(`worker${i + 1}`, 'bench/load-worker.ts', []));
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.child.once('message', () => resolve());
            w.child.once('exit', () => reject(new Error(`${w.name} exited: ${w.tail.join('')}`)));
          }),
      ),
    );
    return new LoadWorkers(workers, keys);
  }

  get size(): number {
    return this.workers.length;
  }

  /** HSETs every key once (what HGET and mixed read), split between the workers. */
  async preload(addresses: readonly string[]): Promise<void> {
    const n = this.workers.length;
    const per = Math.ceil(this.keys / n);
    await Promise.all(
      this.workers.map((w, i) =>
        request(w.child, { type: 'preload', addresses, from: i * per, to: Math.min(this.keys, (i + 1) * per) }, 'preloaded'),
      ),
    );
  }

  /** One measured run: all workers load `target`; server CPU and ELU are read around [t0, t1]. */
  async run(target: Target, scenario: Scenario, mode: LoadMode, timing: Timing): Promise<RunResult> {
    // Open-loop runs answer the p99 target; the nodes' own view of it is read around the window.
    const command = ONE_COMMAND[scenario];
    const latencyUrls = mode.kind === 'rate' && command !== undefined ? target.metricsUrls : undefined;
    // A node's first /metrics answer takes about 80 ms (express and prom-client still cold): an
    // unmeasured read before the load keeps that stall out of the window.
    if (latencyUrls) await scrapeLatency(latencyUrls, command!);
    const shares = this.split(mode);
    const t0 = Date.now() + 100 + timing.warmupMs;
    const t1 = t0 + timing.measureMs;
    let offset = 0;
    const run = this.runs++;
    const pending = shares.map((share, i) => {
      const seed = runSeed(run, i);
      const msg: WorkerMessage = { type: 'run', addresses: target.addresses, scenario, mode: share, offset, t0, t1, seed, keys: this.keys };
      offset += share.kind === 'unary' ? share.inFlight : share.kind === 'stream' ? share.streams : 1;
      return request<WorkerResult>(this.workers[i]!.child, msg, 'result');
    });
    const pids = target.procs.map((p) => p.child.pid!);
    await sleep(t0 - Date.now());
    const workerPids = this.workers.map((w) => w.child.pid!);
    const sum = (list: number[]) => list.reduce((acc, pid) => acc + cpuMicros(pid), 0);
    const machine0 = machineBusyMicros();
    const client0 = sum(workerPids);
    const cpu0 = sum(pids);
    const start = performance.now();
    const elu0 = await sampleElu(target);
    const latency0 = latencyUrls && (await scrapeLatency(latencyUrls, command!));
    await sleep(t1 - Date.now());
    const cpu1 = sum(pids);
    const client1 = sum(workerPids);
    const machine1 = machineBusyMicros();
    const seconds = (performance.now() - start) / 1000;
    const latency1 = latencyUrls && (await scrapeLatency(latencyUrls, command!));
    const elu1 = await sampleElu(target);
    const results = await Promise.all(pending);

    const hist = new Histogram();
    let ops = 0;
    let errors = 0;
    let firstError: string | undefined;
    for (const r of results) {
      hist.merge(Histogram.fromSparse(r.hist));
      ops += r.ops;
      errors += r.errors;
      firstError ??= r.firstError;
    }
    const elus = elu0.flatMap((a, i) => {
      const b = elu1[i];
      if (!a || !b) return [];
      const active = b.active - a.active;
      const total = active + b.idle - a.idle;
      return total > 0 ? [active / total] : [];
    });
    const result: RunResult = {
      target: target.name,
      scenario,
      mode: modeLabel(mode),
      modeSpec: mode,
      ops,
      errors,
      opsPerSec: ops / (timing.measureMs / 1000),
      p50Ms: hist.percentile(0.5) / 1000,
      p99Ms: hist.percentile(0.99) / 1000,
      p999Ms: hist.percentile(0.999) / 1000,
      cpuUsPerOp: ops > 0 ? (cpu1 - cpu0) / ops : 0,
      cpuPct: ((cpu1 - cpu0) / 1e6 / seconds) * 100,
      clientUsPerOp: ops > 0 ? (client1 - client0) / ops : 0,
      otherPct: Math.max(0, ((machine1 - machine0 - (cpu1 - cpu0) - (client1 - client0)) / 1e6 / seconds) * 100),
      elu: elus.length > 0 ? elus.reduce((a, b) => a + b, 0) / elus.length : null,
      loopDelayP99Ms: worstLoopDelay(elu1),
      peerMessagesPerOp: peerMessagesPerOp(elu0, elu1, ops),
      ...(latency0 && latency1 ? { server: serverLatency(latency0, latency1) } : {}),
    };
    return firstError === undefined ? result : { ...result, firstError };
  }

  /** Splits in-flight slots, streams or rate between the workers (never more workers than units). */
  private split(mode: LoadMode): LoadMode[] {
    const n = this.workers.length;
    const parts = (total: number, cap: number) =>
      Array.from({ length: Math.min(n, cap) }, (_, i) => Math.floor(total / Math.min(n, cap)) + (i < total % Math.min(n, cap) ? 1 : 0));
    if (mode.kind === 'unary') return parts(mode.inFlight, mode.inFlight).map((inFlight) => ({ kind: 'unary', inFlight }));
    if (mode.kind === 'stream') return parts(mode.streams, mode.streams).map((streams) => ({ ...mode, streams }));
    return Array.from({ length: n }, () => ({ ...mode, opsPerSec: mode.opsPerSec / n, maxInFlight: Math.ceil(mode.maxInFlight / n) }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => stopChild(w.child)));
  }
}
