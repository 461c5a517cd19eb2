import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeStore, putHash } from '../store/testing/fixtures.js';
import { readSnapshot } from './snapshot-reader.js';
import { Snapshotter } from './snapshotter.js';
import { captureLog, tempDir } from './testing/fixtures.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir.remove();
});

function setup(intervalMs: number, path = join(dir.path, 'node.snapshot')) {
  const { store, clock } = makeStore();
  const { log, lines } = captureLog();
  const snapshotter = new Snapshotter({ source: store, clock, log }, { path, intervalMs });
  const written = () => lines().filter((l) => l.msg === 'snapshot written');
  const keysInFile = async () => (await readSnapshot(path)).trailer.records;
  return { store, clock, snapshotter, lines, written, keysInFile, path };
}

describe('Snapshotter', () => {
  it('snapshots every interval, timed from the end of the previous snapshot', async () => {
    const { store, clock, snapshotter, written, keysInFile } = setup(1000);
    putHash(store, 'a', { f: 'v' });
    snapshotter.start();
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(999);
    expect(written()).toHaveLength(0);
    clock.advance(1);
    expect(clock.pendingTimers()).toBe(0); // writing: the next is scheduled once this one is done
    await vi.waitFor(() => expect(clock.pendingTimers()).toBe(1));
    expect(written()).toMatchObject([{ reason: 'periodic', keys: 1 }]);

    putHash(store, 'b', { f: 'v' });
    clock.advance(1000);
    await vi.waitFor(() => expect(written()).toHaveLength(2));
    expect(await keysInFile()).toBe(2);
    await snapshotter.stop({ final: false });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('schedules no further snapshot when stopped while a periodic one is being written', async () => {
    const { store, clock, snapshotter, written } = setup(1000);
    putHash(store, 'a', { f: 'v' });
    snapshotter.start();
    clock.advance(1000); // the periodic snapshot starts writing
    expect(clock.pendingTimers()).toBe(0);
    await snapshotter.stop({ final: false }); // waits for it
    expect(written()).toMatchObject([{ reason: 'periodic' }]);
    await new Promise<void>((resolve) => setImmediate(resolve)); // let the write's continuation run
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(5000);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(written()).toHaveLength(1);
  });

  it('writes a final snapshot on stop, clears its timer and refuses requests afterwards', async () => {
    const { store, clock, snapshotter, written, keysInFile } = setup(60_000);
    snapshotter.start();
    putHash(store, 'late', { f: 'v' });
    await snapshotter.stop({ final: true });
    expect(clock.pendingTimers()).toBe(0);
    expect(written()).toMatchObject([{ reason: 'stop', keys: 1 }]);
    expect(await keysInFile()).toBe(1);
    await expect(snapshotter.snapshotNow()).rejects.toThrow('snapshots are stopped');
  });

  it('has no timer and no final snapshot when the interval is 0', async () => {
    const { clock, snapshotter, written } = setup(0);
    snapshotter.start();
    expect(clock.pendingTimers()).toBe(0);
    await snapshotter.stop({ final: false });
    expect(written()).toHaveLength(0);
  });

  it('writes on request when periodic snapshots are off', async () => {
    const { store, snapshotter, path } = setup(0);
    putHash(store, 'a', { f: 'v' });
    expect(await snapshotter.snapshotNow()).toMatchObject({ path, keys: 1 });
  });

  it('runs one snapshot at a time: requests during one share the next, which starts after it', async () => {
    const { store, snapshotter, written } = setup(0);
    putHash(store, 'a', { f: 'v' });
    const first = snapshotter.snapshotNow();
    putHash(store, 'b', { f: 'v' }); // may or may not be in the first; must be in the next
    const second = snapshotter.snapshotNow();
    const third = snapshotter.snapshotNow();
    expect(third).toBe(second);
    expect(second).not.toBe(first);
    const [r1, r2] = await Promise.all([first, second]);
    expect(r2.keys).toBe(2);
    expect(r1).not.toBe(r2);
    expect(written()).toHaveLength(2);
  });

  it('logs a failed snapshot with its path, rejects the request and keeps the schedule', async () => {
    const blocker = join(dir.path, 'file');
    await writeFile(blocker, 'x');
    const { clock, snapshotter, lines, path } = setup(1000, join(blocker, 'node.snapshot'));
    await expect(snapshotter.snapshotNow()).rejects.toThrow(/EEXIST|ENOTDIR/);
    expect(lines().find((l) => l.msg === 'snapshot failed')).toMatchObject({ level: 50, path, reason: 'request' });
    snapshotter.start();
    clock.advance(1000);
    await vi.waitFor(() => expect(lines().filter((l) => l.msg === 'snapshot failed')).toHaveLength(2));
    await vi.waitFor(() => expect(clock.pendingTimers()).toBe(1));
    await snapshotter.stop({ final: false });
  });
});
