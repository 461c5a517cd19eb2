import { readFileSync } from 'node:fs';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

// One snapshot path, one process. Two nodes given the same GOKV_PERSISTENCE_PATH (a copied .env)
// would write one temporary file at once and each restore the other's keys. `<path>.lock` names
// the process holding the path; a lock whose process is gone (a crash, SIGKILL) is taken over.

/** Who holds a lock: enough to tell a live holder from a pid reused after a crash or a reboot. */
export interface Holder {
  readonly pid: number;
  readonly host: string;
  /** Linux's boot id and the process's start time (clock ticks since boot); absent elsewhere. */
  readonly boot?: string;
  readonly start?: string;
}

export class PathInUseError extends Error {}

export const lockPathOf = (path: string): string => `${path}.lock`;

/**
 * Claims `path` for this process; resolves with the release (which removes the lock if it is
 * still this process's). Rejects with PathInUseError while another live process on this host
 * holds it, or with the fs error when the lock cannot be written (a read-only directory).
 */
export async function lockSnapshotPath(path: string): Promise<() => Promise<void>> {
  const lock = lockPathOf(path);
  const me = holderOf(process.pid);
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lock, 'wx', 0o600);
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      return () => release(lock, me);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw describe(err, lock);
    }
    const held = await readHolder(lock);
    if (held !== undefined && isAlive(held)) {
      throw new PathInUseError(
        `snapshot path ${path} is in use by another running gokv (pid ${held.pid}, lock ${lock}): give each node its own GOKV_PERSISTENCE_PATH`,
      );
    }
    // Left by a process that is gone (or from another host, which cannot be checked): taken over.
    // Two processes taking it over at once both unlink; only one then creates it.
    await unlink(lock).catch(() => undefined);
  }
}

/** The EEXIST of a second attempt means another process took the lock over meanwhile. */
function describe(err: unknown, lock: string): Error {
  if ((err as NodeJS.ErrnoException).code === 'EEXIST') return new PathInUseError(`${lock} was taken by another process as this one started`);
  return err instanceof Error ? err : new Error(String(err));
}

async function release(lock: string, me: Holder): Promise<void> {
  const held = await readHolder(lock);
  if (held !== undefined && sameHolder(held, me)) await unlink(lock).catch(() => undefined);
}

async function readHolder(lock: string): Promise<Holder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(lock, 'utf8')) as Partial<Holder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
    return parsed as Holder;
  } catch {
    return undefined; // gone, empty (a crash between create and write) or not ours: stale
  }
}

function isAlive(held: Holder): boolean {
  if (held.host !== hostname()) return false;
  // Our own pid: this process (a second node in it, in tests) or a predecessor that reused it.
  if (held.pid === process.pid) return false;
  if (held.boot !== undefined) {
    const now = holderOf(held.pid);
    return now.boot === held.boot && now.start !== undefined && now.start === held.start;
  }
  try {
    process.kill(held.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sameHolder = (a: Holder, b: Holder): boolean => a.pid === b.pid && a.host === b.host && a.boot === b.boot && a.start === b.start;

export function holderOf(pid: number): Holder {
  const boot = readProc('/proc/sys/kernel/random/boot_id')?.trim();
  // Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces, so count from its ')'.
  const stat = readProc(`/proc/${pid}/stat`);
  const start = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return { pid, host: hostname(), ...(boot && start ? { boot, start } : {}) };
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
