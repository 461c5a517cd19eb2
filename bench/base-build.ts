// `--ab --base REF`: an earlier revision of gokv, built beside this checkout so that the bench can
// run it and the current code in the same rounds. Absolute figures on this VM drift by tens of
// percent within minutes: "before" and "after" taken in two runs meet different drifts, taken in
// one paired run the same (what a pair still cannot resolve here: docs/benchmarks.md).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPILED, ROOT } from './children.js';

const git = (args: string[]): Buffer =>
  execFileSync('git', ['-C', ROOT, ...args], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });

/** The full commit id that `ref` names in this repository; throws a clear error when it names none. */
export function resolveCommit(ref: string): string {
  try {
    return git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).toString().trim();
  } catch {
    throw new Error(`--base: ${ref} names no commit of this repository`);
  }
}

/**
 * Exports the commit into a scratch directory and compiles it as `npm run bench` compiles this
 * checkout (tsconfig.bench.json into dist/), with this checkout's node_modules. Reuses an earlier
 * build of the same commit. Returns the directory, to run `dist/cmd/gokv/main.js` from.
 */
export function buildBase(commit: string, log: (line: string) => void, parent = tmpdir()): string {
  const dir = join(parent, `gokv-base-${commit.slice(0, 12)}`);
  // Written last: a build that failed half-way is never reused.
  const done = join(dir, '.bench-base-built');
  if (existsSync(done)) {
    log(`base ${commit.slice(0, 12)}: reusing the build in ${dir}`);
    return dir;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`base ${commit.slice(0, 12)}: exporting and compiling into ${dir}`);
  execFileSync('tar', ['-x', '-C', dir], { input: git(['archive', '--format=tar', commit]) });
  if (readFileSync(join(dir, 'package-lock.json'), 'utf8') !== readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) {
    log(`base ${commit.slice(0, 12)}: its package-lock.json differs from this checkout's; it runs with this checkout's node_modules`);
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.bench.json'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`--base: compiling ${commit} failed:\n${out.slice(-3000)}`);
  }
  writeFileSync(done, `${commit}\n`);
  return dir;
}

/** The compiled checkout of `ref`, for `--ab --base`; this checkout must run compiled too. */
export function prepareBase(ref: string, log: (line: string) => void): string {
  // From source, tsx's loader would weigh on this checkout's nodes only.
  if (!COMPILED) throw new Error('--base: run the bench compiled (npm run bench), so that both revisions run alike');
  return buildBase(resolveCommit(ref), log);
}
