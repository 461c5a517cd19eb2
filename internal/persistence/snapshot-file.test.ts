import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log/index.js';
import type { BinStr, KeyState, Store } from '../store/index.js';
import { makeStore, putHash, putList } from '../store/testing/fixtures.js';
import { restoreSnapshot } from './restore.js';
import { FORMAT_VERSION } from './snapshot-format.js';
import { readSnapshot } from './snapshot-reader.js';
import { writeSnapshot, type SnapshotSource } from './snapshot-writer.js';
import { captureLog, tempDir } from './testing/fixtures.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir.remove();
});

/** Every live key's exported state, by key. */
function contents(store: Store, keys: readonly BinStr[]) {
  return new Map(keys.map((k) => [k, store.exportKey(k)]));
}

/** Hashes and lists spread over the ring, some with a TTL, with explicit versions. */
function populate(store: Store, now: number): BinStr[] {
  const keys: BinStr[] = [];
  for (let i = 0; i < 300; i++) {
    const key = i % 3 === 0 ? `@${(i * 14_316_557) >>> 0}:list${i}` : `hash:${i}\xff`;
    if (key.includes('list')) putList(store, key, [`a${i}`, '', `\x00\xff${i}`], 10_000 + i);
    else putHash(store, key, { f: `v${i}`, [`g\x00${i}`]: 'x'.repeat(i) }, 20_000 + i);
    if (i % 5 === 0) {
      const e = store.get(key)!;
      store.setExpireAt(e, now + 60_000 + i);
      store.commit(e, 30_000 + i);
    }
    keys.push(key);
  }
  return keys;
}

describe('snapshot file round trip', () => {
  it('restores hashes and lists with their TTLs and versions exactly', async () => {
    const a = makeStore();
    const keys = populate(a.store, a.clock.now());
    const path = join(dir.path, 'sub', 'node.snapshot'); // the directory is created
    const result = await writeSnapshot(a.store, a.clock, path, { chunkKeys: 16 });
    expect(result).toMatchObject({ path, keys: 300, bytes: (await stat(path)).size, startedAtMs: a.clock.now() });

    const b = makeStore();
    b.clock.advance(1000); // restored later, before the TTLs run out
    const outcome = await restoreSnapshot({ target: b.store, clock: b.clock, log: silentLogger() }, path);
    expect(outcome).toMatchObject({ kind: 'restored', report: { records: 300, restored: 300, expired: 0, older: 0, refused: 0 } });
    expect(contents(b.store, keys)).toEqual(contents(a.store, keys));
    expect(b.store.size).toBe(300);
    expect(b.store.get(keys[0]!)?.expireAtMs).toBe(a.clock.now() + 60_000); // absolute: downtime counts
  });

  it('writes the header, one frame per non-empty page and an end frame that counts them', async () => {
    const { store, clock } = makeStore();
    populate(store, clock.now());
    const path = join(dir.path, 'x.snapshot');
    await writeSnapshot(store, clock, path, { chunkKeys: 50 });
    const pages: number[] = [];
    const summary = await readSnapshot(path, (records) => void pages.push(records.length));
    expect(summary.header).toEqual({ formatVersion: FORMAT_VERSION, startedAtMs: clock.now() });
    expect(summary.trailer.records).toBe(300);
    expect(summary.trailer.chunks).toBe(pages.length);
    expect(pages.length).toBeGreaterThan(1);
    expect((await readFile(path)).subarray(0, 8).toString()).toBe('GOKVSNAP');
  });

  it('writes frames bigger than its write block, and many small blocks, intact', async () => {
    const a = makeStore();
    const keys = populate(a.store, a.clock.now());
    putList(a.store, 'huge', Array.from({ length: 2000 }, (_, i) => `item ${i} ${'z'.repeat(i % 50)}`));
    const path = join(dir.path, 'blocks.snapshot');
    await writeSnapshot(a.store, a.clock, path, { chunkKeys: 8, flushBytes: 100 });
    const b = makeStore();
    await restoreSnapshot({ target: b.store, clock: b.clock, log: silentLogger() }, path);
    expect(contents(b.store, [...keys, 'huge'])).toEqual(contents(a.store, [...keys, 'huge']));
  });

  it('writes an empty store as a valid file with no chunks', async () => {
    const { store, clock } = makeStore();
    const path = join(dir.path, 'empty.snapshot');
    expect(await writeSnapshot(store, clock, path)).toMatchObject({ keys: 0 });
    expect((await readSnapshot(path)).trailer).toMatchObject({ chunks: 0, records: 0 });
  });

  it('drops keys that expired before the restore', async () => {
    const a = makeStore();
    putHash(a.store, 'lives', { f: 'v' });
    putHash(a.store, 'dies', { f: 'v' });
    const e = a.store.get('dies')!;
    a.store.setExpireAt(e, a.clock.now() + 5_000);
    a.store.commit(e);
    const path = join(dir.path, 'ttl.snapshot');
    await writeSnapshot(a.store, a.clock, path);

    const b = makeStore();
    b.clock.advance(5_000);
    const outcome = await restoreSnapshot({ target: b.store, clock: b.clock, log: silentLogger() }, path);
    expect(outcome).toMatchObject({ report: { restored: 1, expired: 1 } });
    expect(b.store.get('dies')).toBeUndefined();
    expect(b.store.tombstone('dies')).toBeUndefined(); // dropped, not deleted
  });

  it('merges by version: a newer local key is kept, an older one replaced', async () => {
    const a = makeStore();
    putHash(a.store, 'newer-here', { f: 'snap' }, 100);
    putHash(a.store, 'older-here', { f: 'snap' }, 100);
    const path = join(dir.path, 'merge.snapshot');
    await writeSnapshot(a.store, a.clock, path);

    const b = makeStore();
    putHash(b.store, 'newer-here', { f: 'local' }, 200);
    putHash(b.store, 'older-here', { f: 'local' }, 50);
    const outcome = await restoreSnapshot({ target: b.store, clock: b.clock, log: silentLogger() }, path);
    expect(outcome).toMatchObject({ report: { restored: 1, older: 1 } });
    expect(b.store.getHash('newer-here')?.value.get('f')).toBe('local');
    expect(b.store.getHash('older-here')?.value.get('f')).toBe('snap');
  });

  // A whole-cluster restart with `always` restores every node's file: a node whose snapshot
  // predates a delete hands its old copy to the key's owner, whose file must say it was deleted.
  it('keeps deletions: a key deleted before the snapshot refuses an older copy after restore', async () => {
    const a = makeStore();
    const version = putHash(a.store, 'gone', { f: 'old' });
    a.store.delete('gone');
    putHash(a.store, 'kept', { f: 'v' });
    const path = join(dir.path, 'deletes.snapshot');
    expect(await writeSnapshot(a.store, a.clock, path)).toMatchObject({ keys: 1 });

    const b = makeStore();
    await restoreSnapshot({ target: b.store, clock: b.clock, log: silentLogger() }, path);
    expect(b.store.size).toBe(1);
    const staleCopy = { type: 'hash', value: ['f', 'old'], expireAtMs: 0, version } as KeyState;
    expect(b.store.mergeKey('gone', staleCopy)).toBe(false);
    expect(b.store.exportKey('gone')).toMatchObject({ deleted: true });
  });

  it('skips records of a type this build does not know and restores the rest', async () => {
    const a = makeStore();
    putHash(a.store, 'known', { f: 'v' });
    const path = join(dir.path, 'future.snapshot');
    const future: SnapshotSource = {
      *rangeChunks() {
        yield ['known', 'future'];
      },
      tombstonedKeys: () => [],
      exportKey: (key) =>
        key === 'future'
          ? ({ type: 'zset-from-the-future', value: ['1', 'm'], expireAtMs: 0, version: 9 } as unknown as KeyState)
          : a.store.exportKey(key),
    };
    await writeSnapshot(future, a.clock, path);
    const b = makeStore();
    const { log, lines } = captureLog();
    const outcome = await restoreSnapshot({ target: b.store, clock: b.clock, log }, path);
    expect(outcome).toMatchObject({ kind: 'restored', report: { records: 2, restored: 1, refused: 1 } });
    expect(b.store.getHash('known')?.value.get('f')).toBe('v');
    expect(lines().find((l) => l.msg === 'snapshot records refused by the store')).toMatchObject({
      refused: 1,
      first: expect.stringContaining("type 'zset-from-the-future'"),
    });
  });

  it('replaces the previous file whole and leaves no temporary file behind', async () => {
    const { store, clock } = makeStore();
    const path = join(dir.path, 'n.snapshot');
    putHash(store, 'first', { f: 'v' });
    await writeSnapshot(store, clock, path);
    putHash(store, 'second', { f: 'v' });
    await writeSnapshot(store, clock, path);
    expect((await readSnapshot(path)).trailer.records).toBe(2);
    expect(await readdir(dir.path)).toEqual(['n.snapshot']);
  });

  it('keeps the previous snapshot when a write fails midway', async () => {
    const { store, clock } = makeStore();
    const path = join(dir.path, 'n.snapshot');
    putHash(store, 'k', { f: 'v' });
    await writeSnapshot(store, clock, path);
    const before = await readFile(path);
    const failing: SnapshotSource = {
      *rangeChunks() {
        yield ['k'];
        throw new Error('disk on fire');
      },
      tombstonedKeys: () => [],
      exportKey: (key) => store.exportKey(key),
    };
    await expect(writeSnapshot(failing, clock, path, { tickBudgetMs: 0 })).rejects.toThrow('disk on fire');
    expect(await readFile(path)).toEqual(before);
    expect(await readdir(dir.path)).toEqual(['n.snapshot']);
  });

  it('fails clearly when the directory cannot be created', async () => {
    const { store, clock } = makeStore();
    const blocker = join(dir.path, 'file');
    await writeFile(blocker, 'not a directory');
    await expect(writeSnapshot(store, clock, join(blocker, 'n.snapshot'))).rejects.toThrow(/EEXIST|ENOTDIR/);
  });
});
