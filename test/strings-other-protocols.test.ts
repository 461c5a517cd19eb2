import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../internal/cli/index.js';
import { testConfig } from '../internal/config/index.js';
import { silentLogger } from '../internal/log/index.js';
import { startNode, type GokvNode } from '../internal/node/index.js';
import { TestClient } from './helpers/client.js';

// Strings go through the one command path: gRPC, REST, gokv-cli and RESP see the same values.
let node: GokvNode;
let grpc: TestClient;

beforeAll(async () => {
  node = await startNode(testConfig({ node: { id: 'strings' } }), { log: silentLogger() });
  grpc = new TestClient(node.addresses.grpc!);
});

afterAll(async () => {
  grpc.close();
  await node.stop({ leave: false });
});

async function rest(body: unknown, path = '/v1/command'): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`http://${node.addresses.rest}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

async function cli(...argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await runCli(['--uri', node.addresses.grpc!, ...argv], { env: {}, stdout, stderr, isTTY: false });
  return { code, out };
}

describe('strings over gRPC, REST and gokv-cli', () => {
  it('sets and reads over gRPC, binary-safe, with MGET/MSET and INCR', async () => {
    expect(await grpc.run('SET', 'g:s', Buffer.from([0xff, 0x00]))).toBe('OK');
    expect(await grpc.run('GET', 'g:s')).toEqual(Buffer.from([0xff, 0x00]));
    expect(await grpc.run('GET', 'g:none')).toBeNull();
    expect(await grpc.run('MSET', 'g:a', '1', 'g:b', '2')).toBe('OK');
    expect(await grpc.run('MGET', 'g:a', 'g:none', 'g:b')).toEqual([Buffer.from('1'), null, Buffer.from('2')]);
    expect(await grpc.run('INCRBY', 'g:a', '41')).toBe(42);
    expect(await grpc.run('TYPE', 'g:a')).toBe('string');
    await expect(grpc.run('HSET', 'g:a', 'f', 'v')).rejects.toMatchObject({ code: 'WRONGTYPE' });
  });

  it('renders bulk strings and nil in REST JSON', async () => {
    expect(await rest({ command: 'SET', key: 'r:s', args: ['héllo'] })).toEqual({ status: 200, json: { result: 'OK', encoding: 'utf8' } });
    expect(await rest({ command: 'GET', key: 'r:s' })).toEqual({ status: 200, json: { result: 'héllo', encoding: 'utf8' } });
    expect(await rest({ command: 'GET', key: 'r:none' })).toEqual({ status: 200, json: { result: null, encoding: 'utf8' } });
    expect(await rest({ command: 'SET', key: 'r:b', args: ['/wA='], encoding: 'base64' })).toMatchObject({ status: 200 });
    expect(await rest({ command: 'GET', key: 'r:b' })).toEqual({ status: 200, json: { result: '/wA=', encoding: 'base64' } });
    expect(await rest({ command: 'MGET r:s r:none' }, '/command')).toEqual({ status: 200, json: ['héllo', null] });
    expect(await rest({ command: 'HSET', key: 'r:s', args: ['f', 'v'] })).toMatchObject({ status: 409, json: { code: 'WRONGTYPE' } });
  });

  it('prints bulk strings and nil in gokv-cli as redis-cli does', async () => {
    expect(await cli('run', 'SET', 'c:s', 'a b')).toMatchObject({ code: 0, out: 'OK\n' });
    expect(await cli('run', 'GET', 'c:s')).toMatchObject({ code: 0, out: '"a b"\n' });
    expect(await cli('run', 'GET', 'c:none')).toMatchObject({ code: 0, out: '(nil)\n' });
    expect(await cli('--json', 'run', 'GET', 'c:s')).toMatchObject({ code: 0, out: '"a b"\n' });
  });

  it('answers GETRANGE, SETRANGE and HRANDFIELD over gRPC, REST and gokv-cli', async () => {
    expect(await grpc.run('SETRANGE', 'g:r', '2', Buffer.from([0xff]))).toBe(3);
    expect(await grpc.run('GETRANGE', 'g:r', '0', '-1')).toEqual(Buffer.from([0, 0, 0xff]));
    expect(await grpc.run('SUBSTR', 'g:none', '0', '-1')).toEqual(Buffer.alloc(0));
    await expect(grpc.run('SETRANGE', 'g:r', '-1', 'x')).rejects.toMatchObject({ message: expect.stringContaining('ERR offset is out of range') });
    expect(await grpc.run('HSET', 'g:h', 'f', 'v', 'g', 'w')).toBe(2);
    // WITHVALUES pairs are arrays over gRPC (a field may repeat, so never a map).
    expect(await grpc.run('HRANDFIELD', 'g:h', '5', 'WITHVALUES')).toEqual([[Buffer.from('f'), Buffer.from('v')], [Buffer.from('g'), Buffer.from('w')]]);
    expect(await grpc.run('HRANDFIELD', 'g:none')).toBeNull();
    await expect(grpc.run('HRANDFIELD', 'g:h', '-9223372036854775807')).rejects.toMatchObject({ code: 'LIMIT' });
    expect(await rest({ command: 'HRANDFIELD', key: 'g:h', args: ['-1', 'WITHVALUES'] })).toMatchObject({ status: 200, json: { result: [[expect.stringMatching(/^[fg]$/), expect.stringMatching(/^[vw]$/)]] } });
    expect(await rest({ command: 'HRANDFIELD', key: 'g:h', args: ['-9223372036854775807'] })).toMatchObject({ status: 400, json: { code: 'LIMIT' } });
    expect(await rest({ command: 'GETRANGE', key: 'g:h', args: ['0', '1'] })).toMatchObject({ status: 409, json: { code: 'WRONGTYPE' } });
    expect(await cli('run', 'HRANDFIELD', 'g:h', '9', 'WITHVALUES')).toMatchObject({ code: 0, out: '1) 1) "f"\n   2) "v"\n2) 1) "g"\n   2) "w"\n' });
    expect(await cli('run', 'SETRANGE', 'g:r', '0', 'ab')).toMatchObject({ code: 0, out: '(integer) 3\n' });
  });

  it('shows a value written over RESP to gRPC, and the reverse', async () => {
    const port = Number(node.addresses.resp!.split(':').pop());
    const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
    await redis.set('x:resp', 'from-resp');
    expect(await grpc.run('GET', 'x:resp')).toEqual(Buffer.from('from-resp'));
    await grpc.run('SET', 'x:grpc', 'from-grpc');
    expect(await redis.get('x:grpc')).toBe('from-grpc');
    redis.disconnect();
  });
});
