// Every process the bench starts goes through here, so all of them are killed when the bench
// ends: normally, on an error, or on SIGINT/SIGTERM. Also free ports, /proc CPU readings and
// condition polling shared by the rest of bench/.
import { fork, spawn, type ChildProcess, type ForkOptions, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export { freePort } from '../test/helpers/free-port.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/**
 * Whether the bench runs compiled (`npm run bench` builds bench/, cmd/ and internal/ into dist/
 * and runs dist/bench/main.js): then every process it starts runs compiled JavaScript too, as
 * in production. Run from source (`node --import tsx bench/...`), they run through tsx, whose
 * per-closure name helpers and loader hooks add CPU to every process, the bare server's less
 * than gokv's: compiled figures are the ones to compare.
 */
export const COMPILED = basename(dirname(HERE)) === 'dist';
/** The repository root. */
export const ROOT = COMPILED ? join(HERE, '..', '..') : join(HERE, '..');
/** Node flags that load the bench hook (ELU, parent watch), and tsx when running from source. */
export const TS_EXEC_ARGV = COMPILED
  ? ['--import', join(ROOT, 'dist', 'bench', 'bench-hook.js')]
  : ['--import', 'tsx', '--import', join(ROOT, 'bench', 'bench-hook.ts')];

/**
 * A TypeScript file of the repository as the process to start: itself, or its build in dist/.
 * `root` is another compiled checkout (an earlier revision, `--ab --base`).
 */
export function runnable(file: string, root = ROOT): string {
  return COMPILED || root !== ROOT ? join(root, 'dist', file.replace(/\.ts$/, '.js')) : join(ROOT, file);
}

const live = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

/** Installs the exit, signal and error handlers that kill every child (once per process). */
export function installCleanup(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`bench: ${signal}, stopping children\n`);
      killAll();
      process.exit(130);
    });
  }
}

function track(child: ChildProcess, name: string, tail: string[]): ChildProcess {
  live.add(child);
  const keep = (d: Buffer) => {
    tail.push(d.toString());
    if (tail.length > 200) tail.splice(0, 100);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', () => live.delete(child));
  child.on('error', (err) => tail.push(`${name}: ${err.message}`));
  return child;
}

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last output lines, for error messages. */
  readonly tail: string[];
}

/** Spawns a program (no IPC). */
export function startProcess(name: string, command: string, args: string[], options: SpawnOptions = {}): Started {
  const tail: string[] = [];
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  return { name, child: track(child, name, tail), tail };
}

/** Starts a TypeScript module as a Node child with an IPC channel (its hook exits when we do). */
export function startTs(
  name: string,
  file: string,
  args: string[],
  options: ForkOptions = {},
  extraExecArgv: string[] = [],
  root = ROOT,
): Started {
  const tail: string[] = [];
  const child = fork(runnable(file, root), args, {
    cwd: root,
    execArgv: [...extraExecArgv, ...TS_EXEC_ARGV],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    ...options,
  });
  return { name, child: track(child, name, tail), tail };
}

/** Stops a child with `signal` and waits for it to exit (SIGKILL after `graceMs`). */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** utime + stime of a process in microseconds, from /proc/<pid>/stat (all of its threads). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / CLOCK_TICKS_PER_SECOND;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Polls `check` until it returns true, or throws `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Busy CPU time of the whole machine (all cores) in microseconds, from /proc/stat. */
export function machineBusyMicros(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return (busy * 1e6) / CLOCK_TICKS_PER_SECOND;
}
