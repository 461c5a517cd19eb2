import { afterEach, expect, it } from 'vitest';
import type { BinStr } from '../store/index.js';
import { keysBetween, spreadRingOf, TEST_OPTIONS, TestCluster } from './testing/fixtures.js';

const KEYS = 50_000;
const CHUNK = 256;
let cluster: TestCluster;
afterEach(() => cluster.stopAll());

/** a, b, c holding KEYS keys that all move from c to d when d joins; c's store. */
function keysMovingFromCToD() {
  const abc = spreadRingOf('a', 'b', 'c');
  cluster = new TestCluster(['a', 'b', 'c', 'd'], abc, { ...TEST_OPTIONS, chunkKeys: CHUNK, batchBytes: 4096 });
  cluster.placeAll(keysBetween(200, 250, KEYS), abc);
  return cluster.node('c').store;
}

/** d joins, with `onYield` called at every yield; then d holds every key and c none. */
async function joinD(c: ReturnType<typeof keysMovingFromCToD>, onYield: () => void): Promise<void> {
  cluster.onYield = onYield;
  cluster.changeRing(spreadRingOf('a', 'b', 'c', 'd'));
  await cluster.settle();
  expect(cluster.node('d').store.size).toBe(KEYS);
  expect(c.size).toBe(0);
}

it('never reads more than one chunk of keys per event-loop turn (50k keys)', async () => {
  // Count the store chunks c reads between two yields.
  const store = keysMovingFromCToD();
  const chunksOf = store.rangeChunks.bind(store);
  let chunks = 0;
  let sinceYield = 0;
  let most = 0;
  let largest = 0;
  store.rangeChunks = function* (from: number, to: number, chunkKeys?: number): Generator<BinStr[]> {
    for (const chunk of chunksOf(from, to, chunkKeys)) {
      chunks++;
      most = Math.max(most, ++sinceYield);
      largest = Math.max(largest, chunk.length);
      yield chunk;
    }
  };
  await joinD(store, () => {
    sinceYield = 0;
  });
  expect(most).toBe(1);
  expect(chunks).toBeGreaterThanOrEqual(KEYS / (CHUNK * 1.1));
  expect(cluster.yields).toBeGreaterThanOrEqual(chunks);
  expect(largest).toBeLessThan(CHUNK * 1.1); // a chunk ends at a bucket boundary, so a little over
  // Batches are bounded by bytes too: a chunk of ~256 states (~60 bytes each) needs several of 4 KiB.
  expect(cluster.network.delivered.filter((c) => c.to === 'd').length).toBeGreaterThan(chunks * 2);
});

it('forgets handed-off keys a chunk per event-loop turn (50k keys)', async () => {
  // Count the keys c forgets between two yields (every key moves from c to d).
  const store = keysMovingFromCToD();
  const forget = store.forget.bind(store);
  let sinceYield = 0;
  let most = 0;
  store.forget = (key: BinStr, ifVersion: number): boolean => {
    most = Math.max(most, ++sinceYield);
    return forget(key, ifVersion);
  };
  await joinD(store, () => {
    sinceYield = 0;
  });
  expect(most).toBe(CHUNK);
});
