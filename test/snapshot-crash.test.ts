import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../internal/persistence/testing/fixtures.js';
import { ProcessCluster, type ProcessNode } from './helpers/process-cluster.js';

let cluster: ProcessCluster | undefined;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
  await dir.remove();
});

const HASHES = 200;
const LISTS = 50;

async function startOne(): Promise<ProcessNode> {
  cluster = await ProcessCluster.start(1, {
    GOKV_LOG_LEVEL: 'warn',
    GOKV_CONFIG_PATH: 'test/fixtures/snapshot.yml',
    GOKV_PERSISTENCE_PATH: join(dir.path, 'gokv1.snapshot'),
  });
  return cluster.nodes[0]!;
}

/** Writes hashes and lists, a TTL on every fifth key; returns each TTL'd key's absolute expiry. */
async function writeData(node: ProcessNode): Promise<Map<string, Expiry>> {
  const expiries = new Map<string, Expiry>();
  for (let i = 0; i < HASHES; i++) await node.client.run('HSET', `h:${i}`, 'f', `v${i}`, 'n', String(i));
  for (let i = 0; i < LISTS; i++) await node.client.run('RPUSH', `l:${i}`, 'x', String(i), 'y');
  for (const key of [...Array.from({ length: HASHES }, (_, i) => `h:${i}`), ...Array.from({ length: LISTS }, (_, i) => `l:${i}`)]) {
    if (Number(key.slice(2)) % 5 !== 0) continue;
    await node.client.run('PEXPIRE', key, '600000');
    expiries.set(key, await expiryOf(node, key));
  }
  return expiries;
}

/** Bounds of an absolute expiry in ms: PTTL plus the local clock before and after the call. */
type Expiry = { low: number; high: number };

/** From PTTL and the local clock (same machine as the node): bounds, not a reading with a tolerance. */
async function expiryOf(node: ProcessNode, key: string): Promise<Expiry> {
  const before = Date.now();
  const pttl = (await node.client.run('PTTL', key)) as number;
  return { low: before + pttl, high: Date.now() + pttl };
}

async function expectAllBack(node: ProcessNode, expiries: Map<string, Expiry>) {
  for (let i = 0; i < HASHES; i++) {
    const got = (await node.client.run('HGETALL', `h:${i}`)) as Map<string, Buffer>;
    expect(Object.fromEntries([...got].map(([f, v]) => [f, String(v)]))).toEqual({ f: `v${i}`, n: String(i) });
  }
  for (let i = 0; i < LISTS; i++) {
    expect(((await node.client.run('LRANGE', `l:${i}`, '0', '-1')) as Buffer[]).map(String)).toEqual(['x', String(i), 'y']);
  }
  for (const [key, before] of expiries) {
    // The same absolute expiry (downtime counts): the bounds read before and after the restart
    // overlap (2 ms for PTTL's rounding), however slow either PTTL call was.
    const after = await expiryOf(node, key);
    expect(after.low, key).toBeLessThanOrEqual(before.high + 2);
    expect(after.high, key).toBeGreaterThanOrEqual(before.low - 2);
  }
  expect(await node.client.run('TTL', 'h:1')).toBe(-1);
}

describe('a node restarted from its snapshot', () => {
  it('has all data back with TTLs intact after SIGKILL', async () => {
    const node = await startOne();
    const expiries = await writeData(node);
    expect(((await node.client.run('SNAPSHOT')) as Map<string, unknown>).get('keys')).toBe(HASHES + LISTS);
    await node.client.run('HSET', 'after-snapshot', 'f', 'v'); // not in the file: lost with the crash

    cluster!.kill(node, 'SIGKILL');
    cluster!.spawn(node);
    await cluster!.waitForAlive([node], 1);
    await expectAllBack(node, expiries);
    expect(await node.client.run('EXISTS', 'after-snapshot')).toBe(0);
  }, 90_000);

  it('writes a final snapshot on SIGTERM and restores it', async () => {
    const node = await startOne();
    const expiries = await writeData(node);
    const child = node.child!;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cluster!.kill(node, 'SIGTERM');
    expect(await exited).toBe(0);

    cluster!.spawn(node);
    await cluster!.waitForAlive([node], 1);
    await expectAllBack(node, expiries);
  }, 90_000);
});
