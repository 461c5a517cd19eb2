import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecodedReply } from '../internal/wire/index.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { RawResp } from './helpers/raw-resp.js';

// SCAN and KEYS through a cluster return every key's exact bytes, whichever node leads it: keys that are
// valid UTF-8 travel between nodes as MessagePack str and must come back as the same bytes
// (they once came back one byte per character, "é" as 0xe9).

let cluster: InProcessCluster;
// Binary strings (one char per byte): UTF-8 text, invalid UTF-8, and plain ASCII.
const KEYS = Array.from({ length: 12 }, (_, i) => [`\xc3\xa9t\xc3\xa9-${i}`, `\xff\xfe-${i}`, `ascii-${i}`]).flat();

const respPort = (i: number) => Number(cluster.nodes[i]!.addresses.resp!.split(':').pop());

beforeAll(async () => {
  // Generous failure detection: a stall of the shared test process must not fence the raw writes.
  cluster = await startCluster(3, {
    cluster: { replicas: 0 },
    messaging: { suspectAfterMs: 5_000, deadAfterMs: 10_000, forgetDeadAfterMs: 30_000, messageTimeoutMs: 10_000 },
  });
  // Written over RESP, which carries any bytes (gRPC's key is a proto string: UTF-8 only).
  const resp = await RawResp.connect(respPort(2));
  try {
    for (const key of KEYS) expect(await resp.call(['SET', key, 'v'])).toBe('+OK\r\n');
  } finally {
    resp.close();
  }
});

afterAll(async () => {
  await cluster.stop();
});

describe('SCAN across a cluster', () => {
  it('over RESP, answers every key as the bytes it was written with', async () => {
    const resp = await RawResp.connect(respPort(0));
    const found: string[] = [];
    try {
      let cursor = '0';
      do {
        const page = await resp.call(['SCAN', cursor, 'COUNT', '1000']);
        cursor = /^\*2\r\n\$\d+\r\n([^\r]*)\r\n/.exec(page)![1]!;
        const body = page.slice(page.indexOf('\r\n', page.indexOf('\r\n', page.indexOf('\r\n') + 2) + 2) + 2);
        for (const m of body.matchAll(/\$(\d+)\r\n/g)) found.push(body.substr(m.index + m[0].length, Number(m[1])));
      } while (cursor !== '0');
    } finally {
      resp.close();
    }
    expect(found.sort()).toEqual([...KEYS].sort());
  });

  it('over gRPC, answers every key as the bytes it was written with', async () => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const page = (await cluster.clients[1]!.run('SCAN', cursor, '1000')) as Map<string, DecodedReply>;
      cursor = String(page.get('NextCursor'));
      for (const k of page.get('Keys') as Array<Buffer | string>) {
        found.push(Buffer.isBuffer(k) ? k.toString('latin1') : Buffer.from(k, 'utf8').toString('latin1'));
      }
    } while (cursor !== '0');
    expect(found.sort()).toEqual([...KEYS].sort());
  });

  it('KEYS over RESP and gRPC answers every match once, as written', async () => {
    const resp = await RawResp.connect(respPort(1));
    try {
      const reply = await resp.call(['KEYS', '*-1*']);
      const items = [...reply.matchAll(/\$(\d+)\r\n/g)].map((m) => reply.substr(m.index + m[0].length, Number(m[1])));
      const want = KEYS.filter((k) => /-1/.test(k)).sort();
      expect(reply.startsWith(`*${want.length}\r\n`)).toBe(true);
      expect(items.sort()).toEqual(want);
      expect(await resp.call(['KEYS'])).toBe("-ERR wrong number of arguments for 'keys' command\r\n");
      expect(await resp.call(['KEYS', 'a', 'b'])).toBe("-ERR wrong number of arguments for 'keys' command\r\n");
    } finally {
      resp.close();
    }
    const all = (await cluster.clients[2]!.run('KEYS', '*')) as Array<Buffer | string>;
    const bytes = all.map((k) => (Buffer.isBuffer(k) ? k.toString('latin1') : Buffer.from(k, 'utf8').toString('latin1')));
    expect(bytes.sort()).toEqual([...KEYS].sort());
  });
});
