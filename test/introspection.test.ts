import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../internal/cli/index.js';
import type { GokvNode } from '../internal/node/index.js';
import { decodeReply } from '../internal/wire/index.js';
import { freePort } from './helpers/free-port.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';
import { RawResp } from './helpers/raw-resp.js';

// OBJECT and MEMORY route by the key after their subcommand. Through a node that holds no copy
// of the key, only the key's leader can answer, so a right answer there is a forwarded one.

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
const respPort = (node: GokvNode) => Number(node.addresses.resp!.slice(node.addresses.resp!.lastIndexOf(':') + 1));
const a = (n: number) => 'a'.repeat(n);

/** Keys of every encoding, written the same way to redis-server and to gokv. */
const SETUP: string[][] = [
  ['SET', 'o:int', '1'],
  ['SET', 'o:big-int', '10000'],
  ['SET', 'o:emb', 'abc'],
  ['SET', 'o:empty', ''],
  ['SET', 'o:raw', a(45)],
  ['HSET', 'o:hash', 'f', 'v'],
  ['HSET', 'o:wide', 'f', a(65)],
  ['HSET', 'o:many', ...Array.from({ length: 513 }, (_, i) => [`f${i}`, 'v']).flat()],
  ['RPUSH', 'o:list', 'a', 'b'],
];
const KEYS = SETUP.map((c) => c[1]!);
/** What redis-server 7.0.15 answers to OBJECT ENCODING for each. */
const ENCODINGS: Record<string, string> = {
  'o:int': 'int',
  'o:big-int': 'int',
  'o:emb': 'embstr',
  'o:empty': 'embstr',
  'o:raw': 'raw',
  'o:hash': 'listpack',
  'o:wide': 'hashtable',
  'o:many': 'hashtable',
  'o:list': 'quicklist',
};

/** Commands whose replies must be Redis's bytes; IDLETIME and MEMORY USAGE are compared by shape. */
const CHECKS: string[][] = [
  ...KEYS.flatMap((k) => [['OBJECT', 'ENCODING', k], ['object', 'refcount', k], ['OBJECT', 'IDLETIME', k], ['MEMORY', 'USAGE', k, 'SAMPLES', '0']]),
  ['OBJECT', 'FREQ', 'o:emb'],
  ['OBJECT', 'FREQ', 'o:none'],
  ['OBJECT', 'ENCODING', 'o:none'],
  ['OBJECT', 'IDLETIME', 'o:none'],
  ['OBJECT', 'REFCOUNT', 'o:none'],
  ['MEMORY', 'USAGE', 'o:none'],
  ['OBJECT'],
  ['OBJECT', 'ENCODING'],
  ['OBJECT', 'ENCODING', 'o:emb', 'o:int'],
  ['OBJECT', 'fOo', 'o:emb'],
  ['OBJECT', 'HELP'],
  ['object', 'help', 'x'],
  ['MEMORY'],
  ['MEMORY', 'USAGE'],
  ['MEMORY', 'USAGE', 'o:emb', 'SAMPLES'],
  ['MEMORY', 'USAGE', 'o:emb', 'samples', '-1'],
  ['MEMORY', 'USAGE', 'o:none', 'SAMPLES', 'x'],
  ['MEMORY', 'USAGE', 'o:emb', 'FOO'],
  ['MEMORY', 'FOO'],
  ['MEMORY', 'HELP', 'x'],
];

const comparable = (command: readonly string[], reply: string): string =>
  /^(IDLETIME|USAGE)$/i.test(command[1] ?? '') && /^:\d+\r\n$/.test(reply) ? ':<n>\r\n' : reply;

describe('OBJECT and MEMORY against a three-node cluster (replicas: 1)', () => {
  let cluster: InProcessCluster;
  let redis: ChildProcess | undefined;
  let toRedis: RawResp | undefined;

  beforeAll(async () => {
    cluster = await startCluster(3, {
      cluster: { replicas: 1 },
      messaging: { suspectAfterMs: 5_000, deadAfterMs: 10_000, forgetDeadAfterMs: 30_000, messageTimeoutMs: 10_000 },
    });
    const raw = await RawResp.connect(respPort(cluster.nodes[0]!));
    for (const c of SETUP) await raw.call(c);
    raw.close();
    if (!hasRedis) return;
    const port = await freePort();
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let tries = 0; toRedis === undefined; tries++) {
      try {
        toRedis = await RawResp.connect(port);
      } catch (err) {
        if (tries > 100) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    for (const c of SETUP) await toRedis.call(c);
  });

  afterAll(async () => {
    toRedis?.close();
    redis?.kill();
    await cluster.stop();
  });

  /** The node with no copy of `key`: with replicas: 1, one of the three. */
  const outsiderOf = (key: string): GokvNode => cluster.nodes.find((n) => n.store.peek(key) === undefined)!;

  it.skipIf(!hasRedis)('answers as redis-server 7.0 does, byte for byte, through every node', async () => {
    for (const node of cluster.nodes) {
      const toGokv = await RawResp.connect(respPort(node));
      try {
        for (const command of [...CHECKS, ['HELLO', '3'], ['OBJECT', 'ENCODING', 'o:none'], ['MEMORY', 'USAGE', 'o:none']]) {
          const [want, got] = await Promise.all([toRedis!.call(command), toGokv.call(command)]);
          if (command[0] === 'HELLO') continue; // gokv names itself; RESP3 from here on
          expect(comparable(command, got), `${node.id} ${command.join(' ')}`).toBe(comparable(command, want));
        }
        await Promise.all([toRedis!.call(['HELLO', '2']), toGokv.call(['HELLO', '2'])]);
      } finally {
        toGokv.close();
      }
    }
  });

  /** What each key's leader answers: its encoding and the bytes memory accounting charges it. */
  const expected = (key: string) => ({
    encoding: ENCODINGS[key]!,
    bytes: cluster.nodes.find((n) => n.store.peek(key) !== undefined)!.store.chargedBytes(key)!,
  });

  it('forwards OBJECT and MEMORY USAGE over RESP from a node without a copy to the key\'s leader', async () => {
    for (const key of KEYS) {
      const client = new Redis({ host: '127.0.0.1', port: respPort(outsiderOf(key)), maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        const { encoding, bytes } = expected(key);
        expect(await client.call('OBJECT', 'ENCODING', key)).toBe(encoding);
        expect(await client.call('MEMORY', 'USAGE', key)).toBe(bytes);
        expect(await client.call('OBJECT', 'IDLETIME', key)).toEqual(expect.any(Number));
        expect(await client.call('OBJECT', 'REFCOUNT', key)).toBe(key === 'o:int' ? 2147483647 : 1);
      } finally {
        client.disconnect();
      }
    }
  });

  it('forwards them over gRPC RunCommand and StreamCommand, REST and gokv-cli', async () => {
    for (const key of KEYS) {
      const outsider = outsiderOf(key);
      const client = cluster.clients[cluster.nodes.indexOf(outsider)]!;
      const { encoding, bytes } = expected(key);
      // Over gRPC the subcommand travels in `key` (the first argument, as for any command).
      expect(await client.run('OBJECT', 'ENCODING', key)).toEqual(Buffer.from(encoding));
      expect(await client.run('MEMORY', 'USAGE', key, 'SAMPLES', '5')).toBe(bytes);
      const streamed = await client.stream([
        { command: 'OBJECT', key: 'ENCODING', args: [key] },
        { command: 'MEMORY', key: 'USAGE', args: [key] },
        { command: 'OBJECT', key: 'FREQ', args: [key] },
      ]);
      expect(streamed.slice(0, 2).map((r) => decodeReply(r.response))).toEqual([Buffer.from(encoding), bytes]);
      expect(streamed[2]!.error).toMatch(/^ERR An LFU maxmemory policy is not selected/);
      const rest = await fetch(`http://${outsider.addresses.rest}/v1/command`, {
        method: 'POST',
        body: JSON.stringify({ command: 'OBJECT', key: 'ENCODING', args: [key] }),
      });
      expect(await rest.json()).toEqual({ result: encoding, encoding: 'utf8' });
      const restUsage = await fetch(`http://${outsider.addresses.rest}/command`, { method: 'POST', body: JSON.stringify({ command: `MEMORY USAGE ${key}` }) });
      expect(await restUsage.json()).toBe(bytes);
      const stdout = new PassThrough();
      let out = '';
      stdout.on('data', (d: Buffer) => (out += d.toString()));
      const code = await runCli(['--uri', outsider.addresses.grpc!, 'run', 'OBJECT', 'ENCODING', key], { env: {}, stdout, stderr: new PassThrough(), isTTY: false });
      expect({ code, out }).toEqual({ code: 0, out: `"${encoding}"\n` });
    }
    const client = cluster.clients[0]!;
    expect(await client.run('OBJECT', 'REFCOUNT', 'o:none')).toBeNull();
    expect(((await client.run('OBJECT', 'HELP')) as unknown[])[0]).toBe('OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    await expect(client.run('OBJECT', 'FOO', 'o:emb')).rejects.toMatchObject({ code: 'ERR', message: "ERR unknown subcommand 'FOO'. Try OBJECT HELP." });
  });

  it('changes nothing: no new version on the leader or the replica', async () => {
    const key = 'o:emb';
    const versions = () => cluster.nodes.map((n) => n.store.versionOf(key));
    const before = versions();
    for (const node of cluster.nodes) {
      const raw = await RawResp.connect(respPort(node));
      for (const sub of ['ENCODING', 'IDLETIME', 'REFCOUNT']) await raw.call(['OBJECT', sub, key]);
      await raw.call(['MEMORY', 'USAGE', key]);
      raw.close();
    }
    expect(versions()).toEqual(before);
  });
});
