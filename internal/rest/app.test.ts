import { request } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { NodeMetrics } from '../metrics/index.js';
import { parseExposition } from '../metrics/testing/parse-exposition.js';
import express from 'express';
import { createApp } from './app.js';
import { MAX_JSON_DEPTH } from './body-limit.js';
import type { RestDeps } from './deps.js';
import { FakeService } from './testing/fake-service.js';
import { post, serve, type Served } from './testing/serve.js';

const logLines: string[] = [];
const log = pino(
  { level: 'debug' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  }),
);

let service: FakeService;
let ready = true;
let metrics: NodeMetrics;
let served: Served;

beforeAll(async () => {
  service = new FakeService();
  metrics = new NodeMetrics(
    {
      keys: () => service.store.size,
      usedMemoryBytes: () => service.store.usedMemory,
      tombstones: () => service.store.tombstoneUse,
      storeCounters: () => service.store.counters,
      gossip: () => undefined,
      replicationLag: () => new Map(),
      memberStatuses: () => service.members().map((m) => m.status),
      ringVersion: () => service.ringVersion(),
    },
    { commandNames: ['HSET'], maxMemoryBytes: 0 },
  );
  served = await serve(createApp(restDeps(), { maxBodyBytes: 4096, maxArgs: 8 }));
});

function restDeps(): RestDeps {
  return {
    service,
    ready: () => ready,
    node: () => ({ id: 'a', keys: service.store.size, memoryUsedBytes: service.store.usedMemory, maxMemoryBytes: 0 }),
    metrics,
    log,
  };
}

afterAll(async () => {
  await served.close();
  metrics.stop();
});

const v1 = (body: unknown) => post(`${served.url}/v1/command`, body);
const compat = (command: unknown, query = '') => post(`${served.url}/command${query}`, { command });

/**
 * Sends a body too large for a 4 kB limit, 1 kB at a time (up to 1 MB) until the server answers,
 * and returns the raw answer once the server has closed the connection.
 */
async function sendUntilAnswered(url: string, framing: string): Promise<string> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString()));
  const closed = new Promise<void>((done) => socket.on('close', () => done()));
  socket.on('error', () => undefined);
  socket.write(`POST /v1/command HTTP/1.1\r\nhost: x\r\n${framing}\r\n\r\n`);
  const piece = ' '.repeat(1024);
  for (let i = 0; i < 1024 && answer === '' && !socket.destroyed; i++) {
    socket.write(framing.startsWith('transfer') ? `400\r\n${piece}\r\n` : piece);
    await new Promise((r) => setTimeout(r, 1));
  }
  await vi.waitFor(() => expect(answer).not.toBe(''), { timeout: 2000 });
  await closed;
  return answer;
}

describe('POST /v1/command', () => {
  it('runs a command and answers values as UTF-8 text, maps as objects', async () => {
    expect(await v1({ command: 'HSET', key: 'user:1', args: ['name', 'Ada ✓', 'lang', 'ts'] })).toMatchObject({
      status: 200,
      json: { result: 2, encoding: 'utf8' },
    });
    expect((await v1({ command: 'hgetall', key: 'user:1' })).json).toEqual({
      result: { name: 'Ada ✓', lang: 'ts' },
      encoding: 'utf8',
    });
  });

  it.each([
    ['nil as null', { command: 'LPOP', key: 'missing' }, null],
    ['a status as a string', { command: 'PING' }, 'PONG'],
    ['numbers as numbers', { command: 'EXPIRE', key: 'user:1', args: [100] }, 1],
    ['arrays', { command: 'RPUSH', key: 'l', args: ['a', 'b'] }, 2],
    ['an async reply', { command: 'ASYNC', key: 'LRANGE', args: ['l', '0', '-1'] }, ['a', 'b']],
    ['a forwarded (MessagePack) map', { command: 'FORWARDED', key: 'HGETALL', args: ['user:1'] }, { name: 'Ada ✓', lang: 'ts' }],
  ])('answers %s', async (_name, body, result) => {
    expect((await v1(body)).json).toEqual({ result, encoding: 'utf8' });
  });

  it('answers SCAN as {NextCursor, Count, Keys}, locally and forwarded', async () => {
    const local = (await v1({ command: 'SCAN', key: '0', args: ['COUNT', '100'] })).json as { result: unknown };
    expect(local.result).toMatchObject({ NextCursor: '0', Count: 2 });
    expect([...(local.result as { Keys: string[] }).Keys].sort()).toEqual(['l', 'user:1']);
    const forwarded = (await v1({ command: 'FORWARDED', key: 'SCAN', args: ['0', 'COUNT', '100'] })).json;
    expect(forwarded).toEqual(local);
  });

  it('takes and gives base64 when asked, binary-safe', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0x80, 0x0a]).toString('base64');
    expect((await v1({ command: 'HSET', key: 'bin', args: ['Zg==', bytes], encoding: 'base64' })).json).toEqual({ result: 1, encoding: 'base64' });
    expect(service.seen.at(-1)?.args).toEqual(['f', '\xff\x00\x80\x0a']);
    expect((await v1({ command: 'HGETALL', key: 'bin', encoding: 'base64' })).json).toEqual({
      result: { 'Zg==': bytes },
      encoding: 'base64',
    });
  });

  it('switches the whole reply to base64 (and says so) when a value is not valid UTF-8', async () => {
    expect((await v1({ command: 'HGETALL', key: 'bin' })).json).toEqual({
      result: { 'Zg==': Buffer.from([0xff, 0x00, 0x80, 0x0a]).toString('base64') },
      encoding: 'base64',
    });
  });

  it('keeps a field named __proto__ as an ordinary key', async () => {
    await v1({ command: 'HSET', key: 'proto', args: ['__proto__', 'x'] });
    const res = await fetch(`${served.url}/v1/command`, { method: 'POST', body: JSON.stringify({ command: 'HGETALL', key: 'proto' }) });
    expect(await res.text()).toBe('{"result":{"__proto__":"x"},"encoding":"utf8"}');
  });
});

describe('errors', () => {
  it.each([
    ['an unknown command', { command: 'FOO', key: 'k' }, 400, 'ERR', "ERR unknown command 'FOO'"],
    ['wrong arity', { command: 'HSET', key: 'k', args: ['f'] }, 400, 'ERR', "ERR wrong number of arguments for 'hset' command"],
    ['a wrong type', { command: 'HGET', key: 'l', args: ['f'] }, 409, 'WRONGTYPE', 'WRONGTYPE Operation against a key holding the wrong kind of value'],
    ['out of memory', { command: 'HSET', key: 'oom', args: ['f', 'v'] }, 507, 'OOM', "OOM command not allowed when used memory > 'maxmemory'."],
    ['no reachable owner', { command: 'HGET', key: 'down', args: ['f'] }, 503, 'UNAVAILABLE', 'UNAVAILABLE no owner reachable for the key'],
    ['an unconfirmed write', { command: 'HSET', key: 'uncertain', args: ['f', 'v'] }, 504, 'UNCERTAIN', 'ERR write may or may not have been applied'],
    ['too many args', { command: 'RPUSH', key: 'k', args: Array(9).fill('x') }, 400, 'LIMIT', 'ERR too many arguments (9) over limits.max_args (8)'],
    ['a value over the size limit', { command: 'HSET', key: 'k', args: ['f', 'x'.repeat(2000)] }, 400, 'LIMIT', undefined],
    ['a missing command', { key: 'k' }, 400, 'ERR', 'ERR "command" must be a non-empty string'],
    ['args that are not an array', { command: 'HGET', key: 'k', args: 'f' }, 400, 'ERR', 'ERR "args" must be an array'],
    ['an object arg', { command: 'HGET', key: 'k', args: [{}] }, 400, 'ERR', 'ERR args[0] must be a string'],
    ['a numeric key', { command: 'HGET', key: 1, args: ['f'] }, 400, 'ERR', 'ERR "key" must be a string'],
    // JSON can escape a lone surrogate, which has no UTF-8 form: it would be stored as U+FFFD.
    ['a key with a lone surrogate', { command: 'HSET', key: 'k\ud800', args: ['f', 'v'] }, 400, 'ERR', 'ERR "key" holds a lone surrogate, which has no UTF-8 form'],
    ['an arg with a lone surrogate', { command: 'HSET', key: 'k', args: ['f', '\udc00'] }, 400, 'ERR', 'ERR args[1] holds a lone surrogate, which has no UTF-8 form (send bytes as base64)'],
    ['bad base64', { command: 'HGET', key: 'k', args: ['%%%'], encoding: 'base64' }, 400, 'ERR', 'ERR args[0] is not standard base64'],
    ['an unknown encoding', { command: 'PING', encoding: 'hex' }, 400, 'ERR', 'ERR "encoding" must be "utf8" or "base64"'],
    ['a body that is not an object', [1, 2], 400, 'ERR', 'ERR request body must be a JSON object'],
    // Found by a review: these were answered "malformed JSON", though valid JSON.
    ['a bare string body', '"PING"', 400, 'ERR', 'ERR request body must be a JSON object'],
    ['a null body', null, 400, 'ERR', 'ERR request body must be a JSON object'],
    ['an internal failure', { command: 'HGET', key: 'bug', args: ['f'] }, 500, 'INTERNAL', 'INTERNAL server error'],
  ])('answers %s with its status and {error, code}', async (_name, body, status, code, error) => {
    const res = await v1(body);
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ code, ...(error === undefined ? {} : { error }) });
    if (status === 503) expect(res.headers.get('retry-after')).toBe('1');
  });

  it.each([
    ['an integer past 2^53', '9007199254740993'],
    ['an integer JSON writes with an exponent', '1e21'],
    ['a negative integer past -2^53', '-12345678901234567890'],
    ['a fraction JSON writes with an exponent', '0.0000001'],
  ])('refuses %s as an arg rather than store it rounded or as other text', async (_name, number) => {
    // JSON.parse turns 9007199254740993 into 9007199254740992: taken as its text, a different number.
    const before = service.seen.length;
    const res = await post(`${served.url}/v1/command`, `{"command": "SET", "key": "n", "args": [${number}]}`);
    expect(res).toMatchObject({ status: 400, json: { code: 'ERR', error: expect.stringMatching(/^ERR args\[0\] .*send it as a string/) } });
    expect(service.seen.length).toBe(before);
  });

  it('takes safe integers and fractions as their decimal text', async () => {
    await post(`${served.url}/v1/command`, '{"command": "HSET", "key": "nums", "args": ["a", 9007199254740991, "b", -2.5, "c", 0.1]}');
    expect(service.seen.at(-1)?.args).toEqual(['a', '9007199254740991', 'b', '-2.5', 'c', '0.1']);
  });

  // Each limit is the most allowed, not the first refused.
  it('serves a body of exactly the size limit holding exactly max_args arguments, on both routes', async () => {
    // Eight values sharing the padding (the fake service holds a value to 1024 bytes).
    const v1Body = (pad: number) =>
      JSON.stringify({ command: 'RPUSH', key: 'limits', args: Array.from({ length: 8 }, (_, i) => 'y'.repeat(Math.floor(pad / 8) + (i < pad % 8 ? 1 : 0))) });
    const body = v1Body(4096 - v1Body(0).length);
    expect(Buffer.byteLength(body)).toBe(4096);
    expect(await post(`${served.url}/v1/command`, body)).toMatchObject({ status: 200 });
    expect(service.seen.at(-1)?.args).toHaveLength(8);
    const compat = await post(`${served.url}/command`, { command: `RPUSH compat ${Array(8).fill('x').join(' ')}` });
    expect(compat.status).toBe(200);
    expect(service.seen.at(-1)?.args).toHaveLength(8);
  });

  // Found by a review: a body's bytes that were not UTF-8 became U+FFFD, so keys "\xff" and
  // "\xfe" were one key and values were changed, silently.
  it('refuses a body that is not UTF-8 rather than store U+FFFD in place of its bytes', async () => {
    const before = service.seen.length;
    for (const url of [`${served.url}/v1/command`, `${served.url}/command`]) {
      const body = Buffer.concat([Buffer.from(url.endsWith('v1/command') ? '{"command":"SET","key":"' : '{"command":"SET '), Buffer.from([0xff]), Buffer.from(url.endsWith('v1/command') ? '","args":["v"]}' : ' v"}')]);
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'ERR body is not valid UTF-8 (send bytes as base64 with "encoding": "base64")', code: 'ERR' });
    }
    expect(service.seen.length).toBe(before);
  });

  // Found by a review: 10 MB of `[[[...` held the event loop 5 s in JSON.parse.
  it('refuses JSON nested deeper than MAX_JSON_DEPTH before parsing it', async () => {
    const nested = (depth: number) => `{"command":"PING","key":"","args":[${'['.repeat(depth - 2)}${']'.repeat(depth - 2)}]}`;
    expect(await post(`${served.url}/v1/command`, nested(MAX_JSON_DEPTH + 1))).toMatchObject({ status: 400, json: { error: 'ERR JSON body nested too deep' } });
    // At the bound the body is parsed: refused for its args, not its depth.
    expect(await post(`${served.url}/v1/command`, nested(MAX_JSON_DEPTH))).toMatchObject({ status: 400, json: { error: 'ERR args[0] must be a string' } });
  });

  it('refuses JSON holding far more values than max_args before parsing it', async () => {
    const before = service.seen.length;
    const args = (n: number) => JSON.stringify({ command: 'RPUSH', key: 'wide', args: Array(n).fill('x') });
    expect(await post(`${served.url}/v1/command`, args(60))).toMatchObject({ status: 400, json: { code: 'LIMIT' } }); // parsed: too many args
    expect(await post(`${served.url}/v1/command`, args(8 + 64))).toMatchObject({ status: 400, json: { error: 'ERR JSON body holds more values than any request needs' } });
    expect(service.seen.length).toBe(before);
  });

  it('answers malformed JSON with 400 without echoing the body', async () => {
    const res = await post(`${served.url}/v1/command`, '{"command": "HSET", "key": "secret-key"');
    expect(res).toMatchObject({ status: 400, json: { error: 'ERR malformed JSON body', code: 'ERR' } });
  });

  it('answers a body over the size limit with 413', async () => {
    const res = await v1({ command: 'HSET', key: 'k', args: ['f', 'x'.repeat(5000)] });
    expect(res).toMatchObject({ status: 413, json: { error: 'ERR request body over the size limit', code: 'LIMIT' } });
  });

  it.each([
    ['a Content-Length over the limit', 'content-length: 100000000'],
    ['a chunked body that grows past the limit', 'transfer-encoding: chunked'],
  ])('answers %s with 413 at once and closes, without reading the rest', async (_name, framing) => {
    const answer = await sendUntilAnswered(served.url, framing);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toMatch(/connection: close/i);
    expect(answer).toContain('{"error":"ERR request body over the size limit","code":"LIMIT"}');
  });

  it('prints no stack trace when the parser gives up on a body it refused, after the close', async () => {
    // Express prints errors that reach it after a reply to stderr, outside the JSON log (except
    // in its 'test' env, which vitest sets).
    const outer = express().set('env', 'production');
    let socketClosed = Promise.resolve();
    outer.use((req, _res, next) => {
      socketClosed = new Promise((done) => req.socket.on('close', () => done()));
      next();
    });
    outer.use(createApp(restDeps(), { maxBodyBytes: 4096, maxArgs: 8 }).set('env', 'production'));
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const own = await serve(outer);
    try {
      expect(await sendUntilAnswered(own.url, 'transfer-encoding: chunked')).toMatch(/^HTTP\/1\.1 413 /);
      await socketClosed;
      // body-parser reports its own error a tick or two after the connection closed.
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
      await own.close();
    }
  });

  it('answers an empty body with 400', async () => {
    const res = await fetch(`${served.url}/v1/command`, { method: 'POST' });
    expect(res.status).toBe(400);
  });

  it('answers unknown routes with 404 JSON and wrong methods with 405', async () => {
    const missing = await fetch(`${served.url}/v2/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ERR' });
    const wrong = await fetch(`${served.url}/command`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it.each(['/v1/command', '/command'])('refuses a command a web page of another origin sends to %s (CSRF), before it runs', async (path) => {
    // A page on any site can POST a "simple" request (text/plain, no preflight) to a loopback port;
    // the browser marks it with Origin, which curl and client libraries do not send.
    const before = service.seen.length;
    const body = path === '/command' ? '{"command": "HSET csrf f v"}' : '{"command": "HSET", "key": "csrf", "args": ["f", "v"]}';
    const res = await post(`${served.url}${path}`, body, { 'content-type': 'text/plain', origin: 'https://evil.example' });
    expect(res).toMatchObject({ status: 403, json: { code: 'ERR', error: expect.stringMatching(/^ERR cross-origin/) } });
    expect(service.seen.length).toBe(before);
  });

  it('runs a command from the same origin as the API, or from a client that sends no Origin', async () => {
    const sameOrigin = await post(`${served.url}/v1/command`, { command: 'PING' }, { origin: served.url });
    expect(sameOrigin).toMatchObject({ status: 200, json: { result: 'PONG' } });
    expect(await post(`${served.url}/v1/command`, { command: 'PING' })).toMatchObject({ status: 200 });
  });

  it('logs neither keys nor values, even when a request fails', async () => {
    logLines.length = 0;
    await v1({ command: 'HSET', key: 'secret-key', args: ['secret-field'] });
    await v1({ command: 'HGET', key: 'bug', args: ['secret-field'] });
    await post(`${served.url}/v1/command`, '{"command": "HSET", "key": "secret-key", ');
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toMatch(/secret/);
  });
});

describe('a REST server bound to loopback (DNS rebinding)', () => {
  let guarded: Served;
  beforeAll(async () => {
    guarded = await serve(createApp(restDeps(), { maxBodyBytes: 4096, maxArgs: 8, loopbackHostNames: ['gokv.internal'] }));
  });
  afterAll(async () => {
    await guarded.close();
  });

  /** POSTs PING with this Host header (fetch does not let a caller set Host). */
  const pingAs = (url: string, host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url}/v1/command`, { method: 'POST', headers: { host, 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end('{"command": "PING"}');
    });

  it.each(['attacker.example:8080', 'attacker.example', 'evil.com@127.0.0.1', 'localhost.attacker.example'])(
    'refuses a request whose Host is %s, before it runs: a page that pointed its name at 127.0.0.1',
    async (host) => {
      const before = service.seen.length;
      const res = await pingAs(guarded.url, host);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'ERR', error: expect.stringMatching(/^ERR request refused: its Host/) });
      expect(service.seen.length).toBe(before);
    },
  );

  it.each(['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST', 'node1.localhost:8080', '[::1]:8080', '10.1.2.3', 'gokv.internal:8080'])(
    'serves a request whose Host is %s',
    async (host) => {
      expect(await pingAs(guarded.url, host)).toMatchObject({ status: 200 });
    },
  );

  it('serves any Host when not bound to loopback (the option unset)', async () => {
    expect(await pingAs(served.url, 'gokv.example.com:8080')).toMatchObject({ status: 200 });
  });
});

describe('POST /command (the Go gokv route)', () => {
  it('splits the command on whitespace and answers the bare value', async () => {
    expect(await compat('  HSET  go:1 name  ada ')).toMatchObject({ status: 200, json: 1 });
    expect(service.seen.at(-1)).toEqual({ name: 'HSET', key: 'go:1', args: ['name', 'ada'] });
    const res = await compat('HGETALL go:1');
    expect(res.json).toEqual({ name: 'ada' });
    expect(res.headers.get('gokv-encoding')).toBe('utf8');
  });

  it('answers base64 values, as the Go gokv did, with ?encoding=base64', async () => {
    const res = await compat('HGET go:1 name', '?encoding=base64');
    expect(res.json).toEqual({ name: Buffer.from('ada').toString('base64') });
    expect(res.headers.get('gokv-encoding')).toBe('base64');
  });

  it('answers SCAN with the Go field names', async () => {
    expect((await compat('SCAN 0 COUNT 1000')).json).toMatchObject({ NextCursor: '0', Count: expect.any(Number), Keys: expect.any(Array) });
  });

  it.each([
    ['a wrong type', 'HGET l f', 409],
    ['wrong arity', 'HSET go:1 f', 400],
    ['an empty command', '   ', 400],
    ['a command that is not a string', 42, 400],
    ['a lone surrogate', 'HSET go:1 f \ud800', 400],
  ])('answers %s with a 4xx, never 500', async (_name, command, status) => {
    expect((await compat(command)).status).toBe(status);
  });
});

describe('GET routes', () => {
  it('describes the cluster', async () => {
    const res = await fetch(`${served.url}/v1/cluster`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      node: { id: 'a', keys: expect.any(Number), memoryUsedBytes: expect.any(Number), maxMemoryBytes: 0, ready: true },
      ringVersion: 3,
      members: [
        { id: 'a', status: 'alive', alive: true, grpcAddr: '127.0.0.1:50051', restAddr: '127.0.0.1:8080', keys: 0 },
        { id: 'b', status: 'suspect', alive: false, incarnation: 9 },
      ],
    });
  });

  it('answers /healthz 200 only while ready', async () => {
    ready = true;
    let res = await fetch(`${served.url}/healthz`);
    expect([res.status, await res.json()]).toEqual([200, { status: 'ok' }]);
    ready = false;
    res = await fetch(`${served.url}/healthz`);
    expect([res.status, await res.json()]).toEqual([503, { status: 'unavailable' }]);
    ready = true;
  });

  it('serves a Prometheus exposition that parses', async () => {
    metrics.commandDone('HSET', 'ok', 0.001);
    const res = await fetch(`${served.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const e = parseExposition(await res.text());
    expect(e.value('gokv_keys')).toBe(service.store.size);
    expect(e.value('gokv_commands_total', { command: 'HSET', outcome: 'ok' })).toBe(1);
    expect(e.value('gokv_members', { status: 'suspect' })).toBe(1);
  });
});
