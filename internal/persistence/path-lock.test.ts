import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PathInUseError, holderOf, lockPathOf, lockSnapshotPath } from './path-lock.js';
import { tempDir } from './testing/fixtures.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
let child: ChildProcess | undefined;

beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await dir.remove();
});

/** A live process other than this one, as a second gokv would be. */
async function otherProcess(): Promise<number> {
  child = spawn('sleep', ['60'], { stdio: 'ignore' });
  await new Promise((resolve) => child!.once('spawn', resolve));
  return child.pid!;
}

describe('the snapshot path lock', () => {
  it('refuses a path another live process holds, naming its pid', async () => {
    const path = join(dir.path, 'node.snapshot');
    const pid = await otherProcess();
    await writeFile(lockPathOf(path), JSON.stringify(holderOf(pid)));
    const err = await lockSnapshotPath(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PathInUseError);
    expect((err as Error).message).toMatch(new RegExp(`in use by another running gokv \\(pid ${pid}, .*give each node its own GOKV_PERSISTENCE_PATH`));
  });

  it('takes over a lock whose process is gone, or whose pid now names another process', async () => {
    const path = join(dir.path, 'node.snapshot');
    const pid = await otherProcess();
    const held = holderOf(pid);
    child!.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    await writeFile(lockPathOf(path), JSON.stringify(held));
    const release = await lockSnapshotPath(path);
    expect(JSON.parse(await readFile(lockPathOf(path), 'utf8'))).toMatchObject({ pid: process.pid });
    await release();

    // A live pid whose start time differs: the holder crashed and its pid was reused.
    const reused = await otherProcess();
    expect(held.start).toBeDefined(); // Linux: the start time tells a reused pid apart
    await writeFile(lockPathOf(path), JSON.stringify({ ...holderOf(reused), start: '1' }));
    await (await lockSnapshotPath(path))();
  });

  it('takes over a lock of its own pid (a second node in this process) and an unreadable one', async () => {
    const path = join(dir.path, 'node.snapshot');
    await writeFile(lockPathOf(path), JSON.stringify(holderOf(process.pid)));
    await (await lockSnapshotPath(path))();
    await writeFile(lockPathOf(path), '');
    await (await lockSnapshotPath(path))();
    await writeFile(lockPathOf(path), JSON.stringify({ ...holderOf(await otherProcess()), host: `not-${hostname()}` }));
    await (await lockSnapshotPath(path))(); // another host's cannot be checked: taken over
  });

  it('releases only its own lock, and creates the directory it needs', async () => {
    const path = join(dir.path, 'sub', 'dir', 'node.snapshot');
    const release = await lockSnapshotPath(path);
    const pid = await otherProcess();
    await writeFile(lockPathOf(path), JSON.stringify(holderOf(pid))); // someone else's now
    await release();
    expect(JSON.parse(await readFile(lockPathOf(path), 'utf8'))).toMatchObject({ pid });
    const released = await lockSnapshotPath(join(dir.path, 'n2'));
    await released();
    await expect(readFile(lockPathOf(join(dir.path, 'n2')))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  // Found by a review: a restart right after kill -9 was refused while the old process, dead,
  // waited to be reaped.
  it('takes over a lock whose process is a zombie', async () => {
    const path = join(dir.path, 'node.snapshot');
    // A parent that never reaps its child: the child stays a zombie while the parent sleeps.
    child = spawn('python3', ['-c', 'import os,time\npid=os.fork()\nif pid==0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(30)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = Number(await new Promise<string>((resolve) => child!.stdout!.once('data', (d: Buffer) => resolve(d.toString()))));
    await expect.poll(() => holderOf(zombie).zombie).toBe(true);
    await writeFile(lockPathOf(path), JSON.stringify({ ...holderOf(zombie), zombie: undefined }));
    await (await lockSnapshotPath(path))();
  });

  it('refuses, without blocking, a lock path that is a FIFO', async () => {
    const path = join(dir.path, 'node.snapshot');
    execFileSync('mkfifo', [lockPathOf(path)]);
    await expect(lockSnapshotPath(path)).rejects.toThrow(/node\.snapshot\.lock is not a regular file: remove it/);
  });

  it('leaves no file of its own beside the lock', async () => {
    const path = join(dir.path, 'node.snapshot');
    const release = await lockSnapshotPath(path);
    expect(await readdir(dir.path)).toEqual(['node.snapshot.lock']);
    await release();
    expect(await readdir(dir.path)).toEqual([]);
  });
});
