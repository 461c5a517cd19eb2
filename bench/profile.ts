// `npm run bench -- --profile`: one gokv node under `node --cpu-prof`, loaded with HSET over
// RunCommand (C=16) and StreamCommand (4 x 256); prints the top self-time functions and the
// self time per module, to decide what to optimise. Nothing in gokv is changed.
// `--profile --only cluster`: the same for the three-node cluster (replicas 2), one profile per
// node; `--profile --only bare3`: for the bare cluster, the ceiling of the cluster's writes;
// `--profile --only bare`: for the bare server, the ceiling of one node. `--scenario hget` (or
// mixed, lpush-lpop) profiles that command instead of HSET.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT, stopChild } from './children.js';
import type { BenchOptions } from './plan.js';
import { stream, unary } from './plan.js';
import { LoadWorkers } from './runner.js';
import { startBare, startBareCluster, startGokv } from './targets.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  /** CLOCK_MONOTONIC microseconds, the clock of process.hrtime. */
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function where(url: string): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? relative(ROOT, new URL(url).pathname) : url;
  return path;
}

function moduleOf(url: string): string {
  const path = where(url);
  if (path === '') return '(native / VM)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  if (path.startsWith('node:')) return 'node core';
  return path.split('/').slice(0, 2).join('/');
}

/**
 * Self time per function and per module, in ms and % of non-idle time, over the samples taken
 * in [fromUs, toUs] (monotonic microseconds; the whole profile by default). Given the operations
 * served in that window, also in us per operation: the unit that compares one target's profile
 * with another's (gokv's against the bare server's), whose busy times differ.
 */
export function summarise(profile: CpuProfile, top = 25, fromUs = 0, toUs = Infinity, ops = 0): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= fromUs && at <= toUs) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  const fns = new Map<string, number>();
  const mods = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') continue;
    busy += us;
    const name = `${f.functionName || '(anonymous)'}  ${where(f.url)}${f.url && f.lineNumber > 0 ? `:${f.lineNumber + 1}` : ''}`;
    fns.set(name, (fns.get(name) ?? 0) + us);
    const mod = f.url ? moduleOf(f.url) : f.functionName;
    mods.set(mod, (mods.get(mod) ?? 0) + us);
  }
  const lines = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => {
        const perOp = ops > 0 ? `  ${(us / ops).toFixed(2).padStart(7)} us/op` : '';
        return `${((us / busy) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms${perOp}  ${name}`;
      });
  return [
    `busy (non-idle) CPU in profile: ${(busy / 1000).toFixed(0)} ms${ops > 0 ? `, ${(busy / ops).toFixed(1)} us per operation over ${ops} operations` : ''}`,
    '',
    `top ${top} functions by self time:`,
    ...lines(fns, top),
    '',
    'self time by module:',
    ...lines(mods, 15),
  ].join('\n');
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

export async function runProfile(options: BenchOptions, log: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gokv-profile-'));
  const { parts } = options;
  const nodes = parts.has('single') || (parts.has('bare') && !parts.has('cluster')) ? 1 : 3;
  const profiled = ['--cpu-prof', '--cpu-prof-dir', dir];
  const target =
    parts.has('single') || parts.has('cluster')
      ? await startGokv(nodes, profiled)
      : nodes === 1
        ? await startBare(profiled)
        : await startBareCluster(3, profiled);
  const workers = await LoadWorkers.start(options.workers, options.keys);
  // Every key exists before the windows, as in the bench's HSET runs (which follow its warm-up
  // and one another): else most profiled HSETs would create keys, a different and costlier path.
  await workers.preload(target.addresses);
  const t = { warmupMs: 500, measureMs: options.quick ? 3000 : 8000 };
  const windows: Array<{ label: string; fromUs: number; toUs: number; ops: number }> = [];
  try {
    for (const mode of [unary(16), stream(4)]) {
      const startUs = monotonicUs() + (100 + t.warmupMs) * 1000;
      const r = await workers.run(target, options.profileScenario, mode, t);
      windows.push({
        label: `${r.mode}: ${Math.round(r.opsPerSec)} ops/s, ${r.cpuUsPerOp.toFixed(1)} server us/op`,
        fromUs: startUs,
        toUs: startUs + t.measureMs * 1000,
        ops: Math.round((r.opsPerSec * t.measureMs) / 1000),
      });
      log(`profile load ${windows[windows.length - 1]!.label}`);
    }
  } finally {
    await workers.stop();
    // SIGINT: gokv stops cleanly (a bare cluster node at once) and exits, which writes the profile.
    // Three nodes leaving together can each wait on the others' hand-off for a while: a second
    // SIGINT makes a node exit at once, which still writes its profile (SIGKILL would not).
    await Promise.all(
      target.procs.map(async (p) => {
        const again = setTimeout(() => p.child.kill('SIGINT'), 15_000);
        await stopChild(p.child, 'SIGINT', 25_000);
        clearTimeout(again);
      }),
    );
  }
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length !== nodes) throw new Error(`${files.length} .cpuprofile files written in ${dir}, expected ${nodes}`);
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    process.stdout.write(`profile: ${join(dir, file)} (open in Chrome DevTools or speedscope)\n`);
    for (const w of windows) process.stdout.write(`\n== ${options.profileScenario.toUpperCase()}, ${w.label}\n${summarise(profile, 25, w.fromUs, w.toUs, w.ops)}\n`);
  }
}
