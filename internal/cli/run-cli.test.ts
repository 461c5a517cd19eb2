import * as grpc from '@grpc/grpc-js';
import { PassThrough, Readable } from 'node:stream';
import { pack } from 'msgpackr';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandRequest__Output } from '../gen/commonpb/CommandRequest.js';
import { EXIT } from './exit-codes.js';
import { runCli } from './run-cli.js';
import { captureIo } from './testing/capture-io.js';
import { startFakeServer, type FakeAnswer, type FakeServer } from './testing/fake-server.js';

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const reply = (value: unknown): FakeAnswer => ({ reply: pack(value) });

/** Canned replies by command, as a gokv node would encode them (values as bin, statuses as str). */
function answer(req: CommandRequest__Output): FakeAnswer {
  switch (req.command) {
    case 'HSET':
      return reply((req.args.length / 2) | 0);
    case 'HGETALL':
      return reply(new Map([['f', Buffer.from('v')], ['g', Buffer.from([0xff])]]));
    case 'LRANGE':
      return reply([Buffer.from('a'), Buffer.from('b')]);
    case 'PING':
      return reply('PONG');
    case 'GET':
      return reply(null);
    case 'SCAN':
      return reply(new Map<string, unknown>([['NextCursor', '0'], ['Count', 1], ['Keys', ['k']]]));
    case 'LPUSH':
      return { error: { code: grpc.status.FAILED_PRECONDITION, details: WRONGTYPE, gokvCode: 'WRONGTYPE' } };
    default:
      return { error: { code: grpc.status.INVALID_ARGUMENT, details: `ERR unknown command '${req.command}'`, gokvCode: 'ERR' } };
  }
}

const HEALTH = {
  ringVersion: 7,
  peers: [
    { nodeId: 'n1', nodeAddr: '127.0.0.1:50051', alive: true, status: 'alive', internalAddr: '127.0.0.1:7001', restAddr: '127.0.0.1:8081', keys: 12, incarnation: 2, handoffKeysPending: 40, handoffBytesPending: 2048, arcsArriving: 3 },
    { nodeId: 'n2', nodeAddr: '127.0.0.1:50052', alive: false, status: 'suspect', internalAddr: '127.0.0.1:7002', keys: 0, incarnation: 5 },
    // An older server's entry: no status, no addresses beyond the external one.
    { nodeId: 'n3', nodeAddr: '', alive: false },
  ],
};

describe('gokv-cli against a gRPC server', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer({ answer, health: HEALTH });
  });
  afterEach(async () => {
    await server.close();
  });

  const cli = async (args: string[], stdinLines?: string[]) => {
    const io = captureIo(stdinLines === undefined ? {} : { stdinLines });
    const code = await runCli(['--uri', server.addr, ...args], io);
    return { code, out: io.out(), err: io.err() };
  };

  it('runs HSET and prints the integer reply', async () => {
    expect(await cli(['run', 'HSET', 'h', 'f', 'v'])).toEqual({ code: EXIT.ok, out: '(integer) 1\n', err: '' });
    expect(server.calls[0]).toMatchObject({ command: 'HSET', key: 'h', args: [Buffer.from('f'), Buffer.from('v')] });
  });

  it('upper-cases the command name', async () => {
    await cli(['run', 'hset', 'h', 'f', 'v']);
    expect(server.calls[0]?.command).toBe('HSET');
  });

  it('passes arguments that look like flags through', async () => {
    expect((await cli(['run', 'LRANGE', 'l', '0', '-1'])).out).toBe('1) "a"\n2) "b"\n');
    expect(server.calls[0]?.args).toEqual([Buffer.from('0'), Buffer.from('-1')]);
  });

  it.each([
    ['a map as numbered pairs', ['HGETALL', 'h'], '1# "f" => "v"\n2# "g" => "\\xff"\n'],
    ['a status bare', ['PING'], 'PONG\n'],
    ['nil', ['GET', 'k'], '(nil)\n'],
    ['the SCAN map', ['SCAN', '0', 'COUNT', '10'], '1# "NextCursor" => "0"\n2# "Count" => (integer) 1\n3# "Keys" => 1) "k"\n'],
  ])('prints %s', async (_name, args, text) => {
    expect(await cli(['run', ...args])).toEqual({ code: EXIT.ok, out: text, err: '' });
  });

  it('sends PING without a key as an empty key', async () => {
    await cli(['run', 'PING']);
    expect(server.calls[0]).toMatchObject({ command: 'PING', key: '', args: [] });
  });

  it('sends an empty word after FLUSHALL or DBSIZE as an argument, so the node refuses it (not a bare FLUSHALL)', async () => {
    await cli(['run', 'FLUSHALL', '']);
    await cli([], ['dbsize ""']);
    expect(server.calls).toMatchObject([
      { command: 'FLUSHALL', key: '', args: [Buffer.alloc(0)] },
      { command: 'DBSIZE', key: '', args: [Buffer.alloc(0)] },
    ]);
  });

  it('prints an error reply on stderr, exits 1 and does not retry it', async () => {
    expect(await cli(['run', 'LPUSH', 'h', 'x'])).toEqual({ code: EXIT.replyError, out: '', err: `(error) ${WRONGTYPE}\n` });
    expect(server.calls).toHaveLength(1);
  });

  it.each([
    ['a map', ['HGETALL', 'h'], { f: 'v', g: { base64: '/w==' } }],
    ['an integer', ['HSET', 'h', 'f', 'v'], 1],
    ['the SCAN map', ['SCAN', '0'], { NextCursor: '0', Count: 1, Keys: ['k'] }],
  ])('prints %s as JSON with --json', async (_name, args, json) => {
    const { code, out } = await cli(['--json', 'run', ...args]);
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(out)).toEqual(json);
  });

  it('prints a JSON error on stderr with --json', async () => {
    const { code, out, err } = await cli(['run', '--json', 'LPUSH', 'h', 'x']);
    expect({ code, out, error: JSON.parse(err) }).toEqual({ code: EXIT.replyError, out: '', error: { error: WRONGTYPE } });
  });

  it('lists the members and the ring version with status', async () => {
    const { code, out } = await cli(['status']);
    expect(code).toBe(EXIT.ok);
    const lines = out.split('\n');
    expect(lines[0]).toBe('ring version 7, 3 members (* = the node that answered)');
    expect(lines[1]).toMatch(/^ID\s+GRPC ADDRESS\s+INTERNAL ADDRESS\s+STATUS\s+KEYS\s+HAND-OFF\s+INCARNATION$/);
    expect(lines[2]?.split(/\s{2,}/)).toEqual(['n1 *', '127.0.0.1:50051', '127.0.0.1:7001', 'alive', '12', '40 keys (2.0 KiB) to send, 3 arcs arriving', '2']);
    expect(lines[3]?.split(/\s{2,}/)).toEqual(['n2', '127.0.0.1:50052', '127.0.0.1:7002', 'suspect', '-', '-', '5']);
    expect(lines[4]?.split(/\s{2,}/)).toEqual(['n3', '-', '-', 'dead', '-', '-', '0']);
  });

  it('prints status as JSON with --json', async () => {
    const { code, out } = await cli(['status', '--json']);
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(out)).toEqual({
      ringVersion: 7,
      writesRefused: null,
      replicationLag: {},
      members: [
        {
          id: 'n1', grpcAddr: '127.0.0.1:50051', internalAddr: '127.0.0.1:7001', restAddr: '127.0.0.1:8081', status: 'alive', alive: true, keys: 12, incarnation: 2,
          handOff: { keysPending: 40, bytesPending: 2048, arcsArriving: 3 },
        },
        { id: 'n2', grpcAddr: '127.0.0.1:50052', internalAddr: '127.0.0.1:7002', restAddr: null, status: 'suspect', alive: false, keys: null, incarnation: 5, handOff: null },
        { id: 'n3', grpcAddr: null, internalAddr: null, restAddr: null, status: 'dead', alive: false, keys: null, incarnation: 0, handOff: null },
      ],
    });
  });

  it('runs the lines of a non-terminal stdin and exits 1 when one failed', async () => {
    const { code, out, err } = await cli([], [
      'HSET h f v',
      'hgetall h',
      'HSET h "a b" "\\xff\\n"',
      'HSET h "unbalanced',
      'LPUSH h x',
      '',
      'help',
      'quit',
      'PING',
    ]);
    expect(code).toBe(EXIT.replyError);
    expect(out).toMatch(/^\(integer\) 1\n1# "f" => "v"\n2# "g" => "\\xff"\n\(integer\) 1\ngokv commands/);
    expect(err).toBe(`Invalid argument(s)\n(error) ${WRONGTYPE}\n`);
    expect(server.calls.map((c) => c.command)).toEqual(['HSET', 'HGETALL', 'HSET', 'LPUSH']);
    expect(server.calls[2]?.args).toEqual([Buffer.from('a b'), Buffer.from([0xff, 0x0a])]);
  });

  it('exits 0 from a session whose lines all succeeded, one JSON line per reply with --json', async () => {
    const { code, out } = await cli(['--json'], ['PING', 'LRANGE l 0 -1']);
    expect({ code, out }).toEqual({ code: EXIT.ok, out: '"PONG"\n["a","b"]\n' });
  });

  // Found with `printf 'SET k \xff\xfe\n' | gokv-cli`: STRLEN k was 6 (two U+FFFD), redis-cli stores 2 bytes.
  it('sends the bytes of a piped stdin as they are, not decoded as UTF-8', async () => {
    const bytes = [Buffer.from('HSET h f '), Buffer.from([0xff, 0xfe]), Buffer.from('\r\nHSET h "a b" '), Buffer.from([0xe9])];
    const io = { ...captureIo(), stdin: Readable.from([Buffer.concat(bytes)]) };
    expect(await runCli(['--uri', server.addr], io)).toBe(EXIT.ok);
    expect(server.calls.map((c) => c.args)).toEqual([
      [Buffer.from('f'), Buffer.from([0xff, 0xfe])],
      [Buffer.from('a b'), Buffer.from([0xe9])],
    ]);
  });

  it('refuses a key that is not UTF-8 without sending it', async () => {
    const { code, err } = await cli([], ['HSET "\\xff" f v']);
    expect(code).toBe(EXIT.replyError);
    expect(err).toMatch(/^\(error\) ERR keys must be valid UTF-8/);
    expect(server.calls).toHaveLength(0);
  });

  it('shows a prompt and keeps going after an error on a terminal', async () => {
    const io = captureIo({ stdinLines: ['LPUSH h x', 'PING', 'exit', 'PING'], isTTY: true, env: { GOKV_CLI_HISTFILE: '' } });
    expect(await runCli(['--uri', server.addr], io)).toBe(EXIT.ok);
    expect(io.out()).toBe(`${server.addr}> ${server.addr}> PONG\n${server.addr}> `);
    expect(io.err()).toBe(`(error) ${WRONGTYPE}\n`);
  });
});

describe('gokv-cli at a terminal prompt', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer({ answer: (req) => (req.command === 'BLPOP' ? { never: true } : reply('PONG')) });
  });
  afterEach(async () => {
    await server.close();
  });

  /** A terminal as readline sees one: keys written to stdin, the screen collected from stdout. */
  function terminal() {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let screen = '';
    stdout.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
    let err = '';
    const io = { env: { GOKV_CLI_HISTFILE: '' }, stdin, stdout, stderr: { write: (chunk: string) => (err += chunk) }, isTTY: true };
    return { io, stdin, screen: () => screen, err: () => err };
  }

  // Found with `script`: Ctrl-C during a call to a hung node did nothing until --timeout ran out.
  it('cancels the call in flight on Ctrl-C and ends with exit 1', async () => {
    const tty = terminal();
    const done = runCli(['--uri', server.addr, '--timeout', '60000'], tty.io);
    tty.stdin.write('BLPOP q 0\r');
    await vi.waitFor(() => expect(server.calls).toHaveLength(1));
    tty.stdin.write('\x03');
    // Not cancelled, the call would wait out its 60 s --timeout, past the test's own timeout.
    expect(await done).toBe(EXIT.replyError);
    expect(tty.err()).toBe(`(error) call to ${server.addr} cancelled: the command may or may not have been applied\n`);
  });

  it('ends with exit 0 on Ctrl-C at the prompt', async () => {
    const tty = terminal();
    const done = runCli(['--uri', server.addr], tty.io);
    tty.stdin.write('PING\r');
    await vi.waitFor(() => expect(tty.screen()).toContain('PONG'));
    tty.stdin.write('\x03');
    expect(await done).toBe(EXIT.ok);
  });
});
