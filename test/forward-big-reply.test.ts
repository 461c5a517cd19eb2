import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { RawResp } from './helpers/raw-resp.js';

// A reply larger than limits.max_message_bytes cannot go in one gRPC message. It must fail its
// own command with a LIMIT error, never break the stream it shares with other commands: the
// forward stream between two nodes (where a broken stream fails every write it carried as
// "may or may not be applied"), or a client's StreamCommand.

const MAX_MESSAGE = 1 << 20;
let cluster: InProcessCluster;
let big: string;
let other: string;

beforeAll(async () => {
  cluster = await startCluster(2, { cluster: { replicas: 0 }, limits: { maxMessageBytes: MAX_MESSAGE, maxValueBytes: 600 << 10 } });
  big = await keyLedBySecond('big');
  other = await keyLedBySecond('other');
  // A field of 500 KB: it fits a message, but HMGET of it three times (1.5 MB) does not. (A key
  // itself cannot outgrow a message: see test/big-keys.test.ts.)
  await cluster.clients[1]!.run('HSET', big, 'a', Buffer.alloc(500 << 10, 0x61));
});

afterAll(async () => {
  await cluster?.stop();
});

/** A key led by node2, so node1 forwards its commands. */
async function keyLedBySecond(prefix: string): Promise<string> {
  for (let i = 0; ; i++) {
    const key = `${prefix}${i}`;
    const where = (await cluster.clients[0]!.run('EXPLAIN', key)) as Map<string, unknown>;
    if (where.get('leader') === 'node2') return key;
  }
}

// Writes beside a big command go through `run`, which retries a node's UNAVAILABLE refusal: on a
// loaded machine building the big command can stall the (in-process) node past suspect_after,
// and it then refuses writes until its view is fresh. A broken stream fails them as UNCERTAIN,
// which is not retried.
const LIMIT_ERROR = /^ERR reply of \d+ bytes is over limits\.max_message_bytes \(1048576\)/;

describe('a reply over limits.max_message_bytes', () => {
  it('fails a forwarded command alone; a write sent beside it on the same stream is applied', async () => {
    const entry = cluster.clients[0]!;
    const [read, write] = await Promise.allSettled([entry.runOnce('HMGET', big, 'a', 'a', 'a'), entry.run('SET', other, 'v1')]);
    expect(read).toMatchObject({ status: 'rejected', reason: { code: 'LIMIT', message: expect.stringMatching(LIMIT_ERROR) } });
    expect(write).toEqual({ status: 'fulfilled', value: 'OK' });
    expect(await entry.run('GET', other)).toEqual(Buffer.from('v1'));
  });

  it('splits replies that fit one by one but not together across messages', async () => {
    const entry = cluster.clients[0]!;
    const reads = await Promise.all(['a', 'a', 'a'].map((f) => entry.runOnce('HMGET', big, f)));
    expect(reads.map((r) => (r as Buffer[])[0]!.length)).toEqual([500 << 10, 500 << 10, 500 << 10]);
  });

  it('is a LIMIT error from RunCommand on the leader itself', async () => {
    await expect(cluster.clients[1]!.runOnce('HMGET', big, 'a', 'a', 'a')).rejects.toMatchObject({ code: 'LIMIT', message: expect.stringMatching(LIMIT_ERROR) });
  });

  it('is answered in-band on StreamCommand, which goes on serving', async () => {
    const replies = await cluster.clients[1]!.stream([{ command: 'HMGET', key: big, args: ['a', 'a', 'a'] }, { command: 'SET', key: other, args: ['v2'] }]);
    expect(replies[0]?.error).toMatch(LIMIT_ERROR);
    expect(replies[1]?.error).toBe('');
    expect(await cluster.clients[1]!.run('GET', other)).toEqual(Buffer.from('v2'));
  });
});

describe('forwarded commands that fit a message one by one but not together', () => {
  it('go out in several messages and are all applied', async () => {
    // Sent in one batch they made grpc-js refuse it and fail all three as UNCERTAIN.
    const entry = cluster.clients[0]!;
    const keys = [await keyLedBySecond('w'), await keyLedBySecond('x'), await keyLedBySecond('y')];
    const results = await Promise.allSettled(keys.map((k) => entry.run('SET', k, Buffer.alloc(500 << 10, 0x62))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
  });
});

describe('a command that fits the entry node but not one message to its leader', () => {
  it('fails alone with a LIMIT error; the forward stream goes on serving', async () => {
    // RESP bounds a command's bulk bytes by limits.max_message_bytes; forwarding adds a few
    // bytes per argument, so 120k arguments of 7 bytes (840 KB) make a 1.08 MB forward message.
    // Written, it broke the stream between the nodes (every command on it failed), again on
    // each retry.
    const port = Number(cluster.nodes[0]!.addresses.resp!.split(':').at(-1));
    const resp = await RawResp.connect(port);
    try {
      const fields = Array.from({ length: 120_000 }, (_, i) => `f${String(i).padStart(6, '0')}`);
      const [reply, write] = await Promise.all([resp.call(['HDEL', big, ...fields]), cluster.clients[0]!.run('SET', other, 'v3')]);
      expect(reply).toMatch(/^-ERR command of \d+ bytes forwarded to its leader is over limits\.max_message_bytes \(1048576\)\r\n$/);
      expect(write).toBe('OK');
      expect(await resp.call(['HDEL', big, 'nothing'])).toBe(':0\r\n');
    } finally {
      resp.close();
    }
  });
});

describe('SCAN over long keys', () => {
  it('answers pages under the limit whatever COUNT asks, and the cursor still covers every key', async () => {
    // 200 keys of 60 KB names. A call gathers up to 32 pages (each a leader's arc), an eighth of
    // the ring here: about 25 keys, 1.5 MB, which could not cross a 1 MB message, so SCAN 0
    // COUNT 1000 failed with the reply-size error. COUNT is a hint: pages are cut instead.
    const entry = cluster.clients[0]!;
    const keys = Array.from({ length: 200 }, (_, i) => `long${i}:${'n'.repeat(60_000)}`);
    for (const k of keys) await entry.run('SET', k, 'v');
    const seen = new Set<string>();
    let cursor = '0';
    let pages = 0;
    do {
      const reply = (await entry.run('SCAN', cursor, 'MATCH', 'long*', 'COUNT', '1000')) as Map<string, unknown>;
      for (const k of reply.get('Keys') as Array<Buffer | string>) seen.add(k.toString());
      cursor = String(reply.get('NextCursor'));
      pages++;
    } while (cursor !== '0' && pages < 10_000);
    expect(seen).toEqual(new Set(keys));
    expect(pages).toBeGreaterThan(3);
  });
});
