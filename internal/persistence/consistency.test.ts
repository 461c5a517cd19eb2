import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SeededRandom } from '../clock/index.js';
import type { BinStr } from '../store/index.js';
import { makeStore, putHash, putList } from '../store/testing/fixtures.js';
import { TOMBSTONE_TYPE, type SnapshotRecord } from './record-codec.js';
import { readSnapshot } from './snapshot-reader.js';
import { writeSnapshot } from './snapshot-writer.js';
import { tempDir } from './testing/fixtures.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir.remove();
});

const KEYS = 200;
const DELETED = 'deleted';

describe('a snapshot taken while writes go on', () => {
  it('holds every key at a state it really had, at its version when the snapshot began or later', async () => {
    const { store, clock } = makeStore();
    const random = new SeededRandom(11);
    // Keys spread evenly over the ring, so the walk reaches them one after another.
    const keys: BinStr[] = Array.from({ length: KEYS }, (_, i) => `@${Math.floor((i * 2 ** 32) / KEYS)}:${i % 2 ? 'h' : 'l'}${i}`);
    /** Every state each key went through, by version: the value as exported, or DELETED. */
    const history = new Map<BinStr, Map<number, readonly BinStr[] | typeof DELETED>>(keys.map((k) => [k, new Map()]));
    const record = (key: BinStr) => {
      const s = store.exportKey(key);
      if (s !== undefined) history.get(key)!.set(s.version, s.deleted ? DELETED : s.value);
    };
    let n = 0;
    const mutate = () => {
      const key = keys[random.int(KEYS)]!;
      clock.advance(random.int(2));
      const r = random.next();
      if (r < 0.05) store.delete(key);
      else if (key.includes(':l')) {
        const list = store.getList(key);
        if (list !== undefined && r < 0.35) {
          list.value.popFront();
          store.commit(list);
        } else putList(store, key, [`${n++}`, `${n++}`]); // two items in one write: a torn copy would show one
      } else if (r < 0.2) {
        const hash = store.getHash(key);
        if (hash !== undefined) {
          hash.value.delete(`f${random.int(4)}`);
          store.commit(hash);
        }
      } else putHash(store, key, { [`f${random.int(4)}`]: `${n}`, [`g${random.int(4)}`]: `${n++}` });
      record(key);
    };
    for (const key of keys) {
      if (key.includes(':l')) putList(store, key, ['seed']);
      else putHash(store, key, { f0: 'seed' });
      record(key);
    }

    const atStart = new Map(keys.map((k) => [k, store.versionOf(k)]));
    let writing = true;
    let writesDuring = 0;
    const writer = () => {
      if (!writing) return;
      for (let i = 0; i < 5; i++) {
        mutate();
        writesDuring++;
      }
      setImmediate(writer);
    };
    setImmediate(writer);
    const path = join(dir.path, 'live.snapshot');
    // A page of a few keys per step, yielding after each: the writer runs between every two pages.
    const result = await writeSnapshot(store, clock, path, { chunkKeys: 4, tickBudgetMs: 0, flushBytes: 512 });
    writing = false;

    const records: SnapshotRecord[] = [];
    await readSnapshot(path, (chunk) => void records.push(...chunk));
    expect(records).toHaveLength(result.keys + result.tombstones);
    const seen = new Set<BinStr>();
    let writtenBeforeWalk = 0;
    let writtenAfterWalk = 0;
    for (const r of records) {
      seen.add(r.key);
      const states = history.get(r.key)!;
      const state = r.type === TOMBSTONE_TYPE ? DELETED : r.value;
      expect(states.get(r.version), `${r.key} at version ${r.version}`).toEqual(state); // a real, whole state
      expect(r.version).toBeGreaterThanOrEqual(atStart.get(r.key)!); // never older than at the start
      if (r.version > atStart.get(r.key)!) writtenBeforeWalk++;
      if (store.versionOf(r.key) > r.version) writtenAfterWalk++;
    }
    // A key never deleted during the snapshot is in it.
    for (const key of keys) {
      const everDeleted = [...history.get(key)!.values()].includes(DELETED);
      if (!everDeleted) expect(seen.has(key), key).toBe(true);
    }
    // The interleaving really happened both ways (else this test proves nothing).
    expect(writesDuring).toBeGreaterThan(100);
    expect(writtenBeforeWalk).toBeGreaterThan(10);
    expect(writtenAfterWalk).toBeGreaterThan(10);
  });
});
