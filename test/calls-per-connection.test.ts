import * as http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testConfig } from '../internal/config/index.js';
import type { CommandResponse__Output } from '../internal/gen/commonpb/CommandResponse.js';
import { silentLogger } from '../internal/log/index.js';
import { startNode, type GokvNode } from '../internal/node/index.js';
import { decodeReply } from '../internal/wire/index.js';
import { TestClient } from './helpers/client.js';

// limits.max_calls_per_connection bounds the gRPC calls one connection holds open on a node:
// the node announces it in its HTTP/2 SETTINGS on both gRPC ports, and a gRPC client queues the
// calls beyond it instead of failing them.

const LIMIT = 4;
let node: GokvNode;
let client: TestClient;

beforeAll(async () => {
  node = await startNode(testConfig({ limits: { maxCallsPerConnection: LIMIT } }), { log: silentLogger() });
  client = new TestClient(node.addresses.grpc!);
});

afterAll(async () => {
  client.close();
  await node.stop();
});

/** The SETTINGS_MAX_CONCURRENT_STREAMS a server at `addr` sends a new HTTP/2 connection. */
async function announcedLimit(addr: string): Promise<number | undefined> {
  const session = http2.connect(`http://${addr}`);
  try {
    const settings = await new Promise<http2.Settings>((resolve, reject) => {
      session.once('remoteSettings', resolve);
      session.once('error', reject);
    });
    return settings.maxConcurrentStreams;
  } finally {
    session.close();
  }
}

describe('limits.max_calls_per_connection', () => {
  it('is announced to clients of the external and the internal gRPC server', async () => {
    expect(await announcedLimit(node.addresses.grpc!)).toBe(LIMIT);
    expect(await announcedLimit(node.addresses.internal!)).toBe(LIMIT);
  });

  it('holds calls beyond it until one ends, without failing them', async () => {
    // LIMIT + 2 streams on one connection, each sends one RPUSH and stays open.
    const calls = Array.from({ length: LIMIT + 2 }, () => client.raw.StreamCommand({ deadline: Date.now() + 20_000 }));
    const answered = calls.map(() => [] as number[]);
    const ended = calls.map((call, i) => {
      call.on('data', (r: CommandResponse__Output) => answered[i]!.push(Number(decodeReply(r.response))));
      return new Promise<void>((resolve, reject) => {
        call.on('end', resolve);
        call.on('error', reject);
      });
    });
    calls.forEach((call, i) => call.write({ command: 'RPUSH', key: `held-${i}`, args: [Buffer.from('x')] }));

    // Exactly LIMIT of them are served, and only their pushes reach the store.
    const served = () => answered.filter((a) => a.length > 0).length;
    await vi.waitFor(() => expect(served()).toBe(LIMIT), { timeout: 10_000, interval: 20 });
    // The others stay unserved: absence has no event to wait on, so it is checked after a pause.
    await new Promise((r) => setTimeout(r, 300));
    expect(answered.filter((a) => a.length > 0)).toHaveLength(LIMIT);
    expect(calls.filter((_, i) => node.store.peek(`held-${i}`) !== undefined)).toHaveLength(LIMIT);

    // Ending the served streams lets the held ones through: every call succeeds.
    calls.forEach((call) => call.end());
    await Promise.all(ended);
    expect(answered).toEqual(calls.map(() => [1]));
  });
});
