import * as grpc from '@grpc/grpc-js';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { pack } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import { GOKV_VERSION } from '../config/index.js';
import { UNREACHED_GIVE_UP_MS } from './client.js';
import { EXIT } from './exit-codes.js';
import { runCli } from './run-cli.js';
import { PEER_STATUS_TIMEOUT_MS } from './status-command.js';
import { captureIo } from './testing/capture-io.js';
import { startFakeServer, type FakeAnswer, type FakeServer } from './testing/fake-server.js';

const reply = (value: unknown): FakeAnswer => ({ reply: pack(value) });

describe('gokv-cli retries', () => {
  let server: FakeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('retries UNAVAILABLE until the server answers', async () => {
    let failures = 2;
    server = await startFakeServer({
      answer: () =>
        failures-- > 0
          ? { error: { code: grpc.status.UNAVAILABLE, details: 'UNAVAILABLE no owner reachable', gokvCode: 'UNAVAILABLE' } }
          : reply(1),
    });
    const io = captureIo();
    expect(await runCli(['--uri', server.addr, 'run', 'HSET', 'h', 'f', 'v'], io)).toBe(EXIT.ok);
    expect(io.out()).toBe('(integer) 1\n');
    expect(server.calls).toHaveLength(3);
  });

  it('gives up on UNAVAILABLE at the deadline with exit 3', async () => {
    server = await startFakeServer({
      answer: () => ({ error: { code: grpc.status.UNAVAILABLE, details: 'UNAVAILABLE no owner reachable', gokvCode: 'UNAVAILABLE' } }),
    });
    const io = captureIo();
    expect(await runCli(['--uri', server.addr, '--timeout', '300', 'run', 'HSET', 'h', 'f', 'v'], io)).toBe(EXIT.connection);
    expect(io.err()).toBe('(error) UNAVAILABLE no owner reachable\n');
    expect(server.calls.length).toBeGreaterThan(1);
    // Every attempt ran within the one 300 ms deadline (the default would have left 5000 ms).
    expect(Math.max(...server.budgetsMs)).toBeLessThanOrEqual(300);
  });

  it('treats an error without a gokv code (an older server) as a reply', async () => {
    server = await startFakeServer({ answer: () => ({ error: { code: grpc.status.INVALID_ARGUMENT, details: 'unknown command: FOO' } }) });
    const io = captureIo();
    expect(await runCli(['--uri', server.addr, 'run', 'FOO', 'k'], io)).toBe(EXIT.replyError);
    expect(io.err()).toBe('(error) unknown command: FOO\n');
  });
});

describe('gokv-cli without a server', () => {
  it('warns that an argument holding U+FFFD (invalid UTF-8 on the command line) goes as EF BF BD', async () => {
    const io = captureIo();
    expect(await runCli(['--uri', '127.0.0.1:1', '--timeout', '300', 'run', 'SET', 'k\uFFFD', 'v'], io)).toBe(EXIT.connection);
    expect(io.err()).toMatch(/^gokv-cli: warning: an argument holds U\+FFFD.*Pipe commands on stdin for binary data/);
    const plain = captureIo();
    await runCli(['--uri', '127.0.0.1:1', '--timeout', '300', 'run', 'SET', 'k', 'v'], plain);
    expect(plain.err()).not.toContain('U+FFFD');
  });

  it('exits 3 quickly when nothing listens', async () => {
    const io = captureIo();
    expect(await runCli(['--uri', '127.0.0.1:1', '--timeout', '300', 'run', 'PING'], io)).toBe(EXIT.connection);
    expect(io.err()).toMatch(/^\(error\) could not connect to 127\.0\.0\.1:1: connect ECONNREFUSED/);
  });

  it('gives up on a node that never answers within seconds, even with snapshot\'s 120 s deadline', async () => {
    // Waiting out the 120 s deadline instead would overrun the test's timeout.
    const io = captureIo();
    expect(await runCli(['--uri', '127.0.0.1:1', 'snapshot'], io)).toBe(EXIT.connection);
    expect(io.err()).toMatch(/^\(error\) could not connect to 127\.0\.0\.1:1: connect ECONNREFUSED/);
  }, 20_000);

  // gokv-cli pointed at a node's REST or Redis port retried "Protocol error" for its whole
  // deadline, then said only that.
  it.each([
    ['an HTTP/1 server (the REST port)', 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n', "answers HTTP/1.1, not gRPC: it looks like gokv's REST port"],
    ['a Redis server (the RESP port)', "-ERR unknown command 'PRI'\r\n", "answers the Redis protocol, not gRPC: it looks like gokv's RESP port"],
    ['a server of neither', 'SSH-2.0-OpenSSH_9.2\r\n', "does not speak gRPC \\(Protocol error\\): is it gokv's REST or Redis port\\?"],
  ])('says at once that %s does not speak gRPC, with exit 3', async (_name, answer, message) => {
    const sockets: Socket[] = [];
    const other = createServer((socket) => {
      sockets.push(socket);
      socket.once('data', (first) => {
        // The probe's PING gets what such a server answers it: +PONG from Redis.
        if (first.toString('latin1') === 'PING\r\n' && answer.startsWith('-')) socket.end('+PONG\r\n');
        else socket.end(answer);
      });
    });
    await new Promise<void>((done) => other.listen(0, '127.0.0.1', done));
    const uri = `127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      const io = captureIo();
      expect(await runCli(['--uri', uri, 'status'], io)).toBe(EXIT.connection);
      expect(io.err()).toMatch(new RegExp(`^\\(error\\) ${uri} ${message}`));
      expect(sockets).toHaveLength(2); // not retried: one call, then one probe
    } finally {
      sockets.forEach((socket) => socket.destroy());
      other.close();
    }
  });

  // Found with `gokv-cli snapshot` against a port that accepts TCP and never answers (a node
  // stopped with SIGSTOP): it waited out snapshot's whole 120 s deadline.
  it('gives up on a node that accepts connections but never speaks within seconds too', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const uri = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const io = captureIo();
      expect(await runCli(['--uri', uri, 'snapshot'], io)).toBe(EXIT.connection);
      expect(io.err()).toBe(`(error) could not connect to ${uri} within ${UNREACHED_GIVE_UP_MS} ms\n`);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  }, 20_000);

  // Found with `gokv-cli status` while one member was stopped with SIGSTOP (TCP accepted, never
  // answered): the whole table waited 2 s for that member's key count; the dashboard gives up on
  // the same question after 500 ms.
  it(`shows a member that accepts connections but never speaks without its figures, asked within ${PEER_STATUS_TIMEOUT_MS} ms`, async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const hungAddr = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    // A member that speaks gRPC and never answers its Healthcheck: it shows the deadline it was given.
    const mute = await startFakeServer({ answer: () => ({ never: true }), health: 'never' });
    const server = await startFakeServer({
      answer: () => reply('PONG'),
      health: {
        peers: [
          { nodeId: 'n1', nodeAddr: '127.0.0.1:1', alive: true, status: 'alive', keys: 3, incarnation: 1 },
          { nodeId: 'n2', nodeAddr: hungAddr, alive: true, status: 'alive', incarnation: 1 },
          { nodeId: 'n3', nodeAddr: mute.addr, alive: true, status: 'alive', incarnation: 1 },
        ],
        ringVersion: 7,
      },
    });
    try {
      const io = captureIo();
      expect(await runCli(['--uri', server.addr, 'status'], io)).toBe(EXIT.ok);
      expect(io.out()).toMatch(new RegExp(`^n2 +${hungAddr.replace(/\./g, '\\.')} +- +alive +- +- +1$`, 'm'));
      expect(io.out()).toMatch(new RegExp(`^n3 +${mute.addr.replace(/\./g, '\\.')} +- +alive +- +- +1$`, 'm'));
      // Asked with the short deadline, not --timeout's 5000 ms.
      expect(mute.budgetsMs).toHaveLength(1);
      expect(mute.budgetsMs[0]).toBeLessThanOrEqual(PEER_STATUS_TIMEOUT_MS);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
      await server.close();
      await mute.close();
    }
  });

  it('stops a session at the first line that gets no answer, with exit 3', async () => {
    const io = captureIo({ stdinLines: ['PING', 'PING'] });
    expect(await runCli(['--uri', '127.0.0.1:1', '--timeout', '200'], io)).toBe(EXIT.connection);
    expect(io.err().match(/could not connect/g)).toHaveLength(1);
  });

  it.each([
    ['no command for run', ['run'], /missing required argument 'cmd'/],
    ['an unknown subcommand', ['frobnicate'], /unknown command 'frobnicate'/],
    ['an extra word after status', ['status', 'extra'], /too many arguments for 'status'/],
    ['two keys for explain', ['explain', 'a', 'b'], /too many arguments for 'explain'/],
    ['an extra word after snapshot', ['snapshot', 'now'], /too many arguments for 'snapshot'/],
    ['a bad --uri', ['--uri', '127.0.0.1:notaport', 'status'], /--uri \(GOKV_CLIENT_URI\): expected host:port/],
    ['an unknown flag', ['--bogus', 'status'], /unknown option '--bogus'/],
    ['an unknown flag after run, where the command name goes', ['run', '--bogus', 'PING'], /unknown option '--bogus' \(flags go before 'run'\)/],
    ['--cert without --key', ['--ca', 'ca.pem', '--cert', 'c.pem', 'status'], /--cert \(GOKV_CLIENT_CERT\) needs --key/],
    ['--key without --cert', ['--key', 'k.pem', 'status'], /--key \(GOKV_CLIENT_KEY\) needs --cert/],
    ['a bad timeout', ['--timeout', 'soon', 'status'], /--timeout must be a positive number/],
    ['a timeout no timer can wait', ['--timeout', '2147483648', 'status'], /--timeout must be .* up to 2147483647, got '2147483648'/],
    ['a timeout grpc-js cannot send', ['--timeout', '9007199254740991', 'run', 'PING'], /--timeout must be .* up to 2147483647/],
    ['an unreadable CA file', ['--ca', '/nonexistent/ca.pem', 'status'], /cannot read --ca file '\/nonexistent\/ca.pem': ENOENT/],
    // Found by a review: /dev/zero was read until the CLI held 800 MB, with no output.
    ['a CA "file" that never ends', ['--ca', '/dev/zero', 'status'], /cannot read --ca file '\/dev\/zero': not a regular file/],
  ])('exits 2 for %s', async (_name, args, message) => {
    const io = captureIo();
    expect(await runCli(args, io)).toBe(EXIT.usage);
    expect(io.err()).toMatch(message);
  });

  it('takes the address from GOKV_CLIENT_URI', async () => {
    const io = captureIo({ env: { GOKV_CLIENT_URI: '127.0.0.1:1' } });
    expect(await runCli(['--timeout', '100', 'run', 'PING'], io)).toBe(EXIT.connection);
    expect(io.err()).toContain('127.0.0.1:1');
  });

  it('prints the version with --version and exits 0', async () => {
    const io = captureIo();
    expect(await runCli(['--version'], io)).toBe(EXIT.ok);
    expect(io.out()).toBe(`${GOKV_VERSION}\n`);
  });

  it('prints the usage with --help and exits 0', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBe(EXIT.ok);
    expect(io.out()).toMatch(/^Usage: gokv-cli \[options\] \[command\]/);
    expect(io.out()).toContain('Exit codes: 0 ok, 1 error reply, 2 usage, 3 no connection');
  });
});
