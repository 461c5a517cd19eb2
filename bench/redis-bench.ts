// The outside reference: redis-benchmark against a redis-server the bench started, with the
// same data shape (16 B keys `key:<12 digits>` from -r 100000, one 16 B field, 32 B values), and
// redis-server's CPU read from /proc like gokv's.
import { spawn } from 'node:child_process';
import { cpuMicros } from './children.js';
import { FIELD, KEY_COUNT, VALUE, keyName } from './load-plan.js';
import type { RunResult } from './runner.js';
import { redisCli, type RedisTarget, type Target } from './targets.js';

/** RESP for a batch of commands (what `redis-cli --pipe` reads). */
export function resp(commands: readonly (readonly string[])[]): Buffer {
  const parts: string[] = [];
  for (const args of commands) {
    parts.push(`*${args.length}\r\n`);
    for (const a of args) parts.push(`$${Buffer.byteLength(a)}\r\n${a}\r\n`);
  }
  return Buffer.from(parts.join(''));
}

/** Loads commands through `redis-cli --pipe`, in chunks so no buffer gets huge. */
export function pipeLoad(redis: RedisTarget | number, commands: readonly (readonly string[])[]): void {
  const CHUNK = 100_000;
  const port = typeof redis === 'number' ? redis : redis.port;
  for (let i = 0; i < commands.length; i += CHUNK) {
    redisCli(port, ['--pipe'], resp(commands.slice(i, i + CHUNK)));
  }
}

function benchmark(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '--csv', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`redis-benchmark exited ${code}: ${err}`))));
  });
}

/** Parses the data row of redis-benchmark --csv ("test","rps","avg",..,"p50","p95","p99","max"). */
function parseCsv(csv: string): { rps: number; p50: number; p99: number } {
  const rows = csv.trim().split('\n').filter((l) => !l.startsWith('"test"'));
  const cells = (rows[rows.length - 1] ?? '').split(',').map((c) => Number(c.replace(/"/g, '')));
  return { rps: cells[1] ?? 0, p50: cells[4] ?? 0, p99: cells[6] ?? 0 };
}

/**
 * The same redis-benchmark runs against any target that speaks RESP: redis-server (`redis`) or
 * one gokv node's RESP port (`resp`), so their ops/s compare directly.
 */
export async function runRedisBench(redis: Target, quick: boolean, log: (line: string) => void): Promise<RunResult[]> {
  const pid = redis.procs[0]!.child.pid!;
  const port = redis.respPorts![0]!;
  const out: RunResult[] = [];
  // 32 B once redis-benchmark replaced the placeholder (12 digits, drawn apart from the key's),
  // so HSETs change their field as in the gRPC runs.
  const RANDOM_VALUE = 'value:00000000000000__rand_int__';
  const cases: Array<{ scenario: 'hset' | 'hget'; pipeline: number }> = [
    { scenario: 'hset', pipeline: 1 },
    { scenario: 'hset', pipeline: 16 },
    { scenario: 'hget', pipeline: 1 },
    { scenario: 'hget', pipeline: 16 },
  ];
  let preloaded = false;
  for (const c of cases) {
    if (c.scenario === 'hget' && !preloaded) {
      pipeLoad(port, Array.from({ length: KEY_COUNT }, (_, i) => ['HSET', keyName(i), FIELD, VALUE]));
      preloaded = true;
    }
    const requests = (quick ? 50_000 : 500_000) * (c.pipeline > 1 ? 4 : 1);
    const command = c.scenario === 'hset' ? ['HSET', 'key:__rand_int__', FIELD, RANDOM_VALUE] : ['HGET', 'key:__rand_int__', FIELD];
    const cpu0 = cpuMicros(pid);
    const csv = await benchmark(port, ['-c', '16', '-n', String(requests), '-r', String(KEY_COUNT), '-P', String(c.pipeline), ...command]);
    const cpu1 = cpuMicros(pid);
    const r = parseCsv(csv);
    const mode = c.pipeline > 1 ? `redis-benchmark -c 16 -P ${c.pipeline}` : 'redis-benchmark -c 16';
    log(`${redis.name} ${c.scenario} ${mode}: ${Math.round(r.rps)} ops/s`);
    out.push({
      target: redis.name,
      scenario: c.scenario,
      mode,
      modeSpec: { kind: 'unary', inFlight: 16 * c.pipeline },
      ops: requests,
      errors: 0,
      opsPerSec: r.rps,
      p50Ms: r.p50,
      p99Ms: r.p99,
      p999Ms: Number.NaN,
      cpuUsPerOp: (cpu1 - cpu0) / requests,
      cpuPct: r.rps > 0 ? ((cpu1 - cpu0) / 1e6 / (requests / r.rps)) * 100 : 0,
      clientUsPerOp: Number.NaN,
      otherPct: Number.NaN,
      elu: null,
      loopDelayP99Ms: null,
    });
  }
  return out;
}
