import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

// One snapshot path, one process. Two nodes given the same GOKV_PERSISTENCE_PATH (a copied .env)
// would write one temporary file at once and each restore the other's keys. `<path>.lock` names
// the process holding the path; a lock whose process is gone (a crash, SIGKILL) is taken over.
// Best effort: a lock from another host or PID namespace cannot be checked and is taken over,
// and two processes taking over one stale lock at the same instant may both win.

/** Who holds a lock: enough to tell a live holder from a pid reused after a crash or a reboot. */
export interface Holder {
  readonly pid: number;
  readonly host: string;
  /** Linux's boot id and the process's start time (clock ticks since boot); absent elsewhere. */
  readonly boot?: string;
  readonly start?: string;
}

/** What /proc says of a pid now: its identity and whether it is a zombie (dead, not reaped). */
interface ProcessNow extends Holder {
  readonly zombie?: boolean;
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
    if (await create(lock, me)) return () => release(lock, me);
    if (attempt > 0) throw new PathInUseError(`${lock} was taken by another process as this one started`);
    const held = await readHolder(lock);
    if (held !== undefined && isAlive(held)) {
      throw new PathInUseError(
        `snapshot path ${path} is in use by another running gokv (pid ${held.pid}, lock ${lock}): give each node its own GOKV_PERSISTENCE_PATH`,
      );
    }
    // Left by a process that is gone (or from another host, which cannot be checked): taken over.
    // Two processes taking over one stale lock at the same instant may both win (see above).
    await unlink(lock).catch(() => undefined);
  }
}

/**
 * Creates the lock with its content at once, so no other process ever reads it empty (found by
 * a review: one read the empty file of a lock just created, took it for stale and took it over;
 * both held the path). The content goes to a file of this process, then link() names it the
 * lock, failing if the lock exists. Where links are not supported, an exclusive create and write.
 */
async function create(lock: string, me: Holder): Promise<boolean> {
  const content = `${JSON.stringify(me)}\n`;
  const own = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(own, content, { mode: 0o600, flag: 'wx' });
  try {
    await link(own, lock);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
  } finally {
    await unlink(own).catch(() => undefined);
  }
  try {
    const handle = await open(lock, 'wx', 0o600);
    await handle.writeFile(content);
    await handle.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

async function release(lock: string, me: Holder): Promise<void> {
  const held = await readHolder(lock);
  if (held !== undefined && sameHolder(held, me)) await unlink(lock).catch(() => undefined);
}

async function readHolder(lock: string): Promise<Holder | undefined> {
  // A FIFO there would block the read for good (found by a review): refused, as at the path itself.
  const kind = await stat(lock).then((s) => (s.isFile() ? undefined : 'not a regular file'), () => undefined);
  if (kind !== undefined) throw new Error(`${lock} is ${kind}: remove it`);
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
    // A zombie is dead, though its parent has not reaped it yet (found by a review: a restart
    // right after kill -9 was refused until init reaped the old process).
    const now = holderOf(held.pid);
    return now.boot === held.boot && now.start !== undefined && now.start === held.start && now.zombie !== true;
  }
  try {
    process.kill(held.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sameHolder = (a: Holder, b: Holder): boolean => a.pid === b.pid && a.host === b.host && a.boot === b.boot && a.start === b.start;

export function holderOf(pid: number): ProcessNow {
  const boot = readProc('/proc/sys/kernel/random/boot_id')?.trim();
  // Fields 3 (state) and 22 (start time) of /proc/<pid>/stat; the command name (field 2) may
  // hold spaces, so count from its ')'.
  const text = readProc(`/proc/${pid}/stat`);
  const fields = text?.slice(text.lastIndexOf(')') + 2).split(' ');
  const start = fields?.[19];
  const zombie = fields?.[0] === 'Z' || fields?.[0] === 'X';
  return { pid, host: hostname(), ...(boot && start ? { boot, start } : {}), ...(zombie ? { zombie } : {}) };
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
