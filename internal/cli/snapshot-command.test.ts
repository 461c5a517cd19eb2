import * as grpc from '@grpc/grpc-js';
import { pack } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandRequest__Output } from '../gen/commonpb/CommandRequest.js';
import { EXIT } from './exit-codes.js';
import { runCli } from './run-cli.js';
import { captureIo } from './testing/capture-io.js';
import { startFakeServer, type FakeAnswer, type FakeServer } from './testing/fake-server.js';
import { snapshotText, toSnapshotView } from './snapshot-command.js';

const PATH = '/var/lib/gokv/gokv1.snapshot';
const REPLY = new Map<string, unknown>([
  ['path', Buffer.from(PATH)],
  ['bytes', 3_456_789],
  ['keys', 12_345],
  ['durationMs', 87],
]);

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function cli(answer: (req: CommandRequest__Output) => FakeAnswer, args: string[]) {
  server = await startFakeServer({ answer });
  const io = captureIo();
  const code = await runCli(['--uri', server.addr, ...args], io);
  return { code, out: io.out(), err: io.err(), calls: server.calls };
}

describe('gokv-cli snapshot', () => {
  it('sends the keyless SNAPSHOT command and prints path, size, keys and duration', async () => {
    const { code, out, err, calls } = await cli(() => ({ reply: pack(REPLY) }), ['snapshot']);
    expect({ code, err }).toEqual({ code: EXIT.ok, err: '' });
    expect(calls).toMatchObject([{ command: 'SNAPSHOT', key: '', args: [] }]);
    expect(out).toBe(`path      ${PATH}\nsize      3456789 bytes (3.3 MiB)\nkeys      12345\nduration  87 ms\n`);
  });

  it('prints JSON with --json', async () => {
    const { code, out } = await cli(() => ({ reply: pack(REPLY) }), ['snapshot', '--json']);
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(out)).toEqual({ path: PATH, bytes: 3_456_789, keys: 12_345, durationMs: 87 });
  });

  it('exits 1 with the error when the node could not write it', async () => {
    const details = "ERR snapshot failed: EACCES: permission denied, open '/x.tmp'";
    const { code, out, err } = await cli(() => ({ error: { code: grpc.status.INVALID_ARGUMENT, details, gokvCode: 'ERR' } }), ['snapshot']);
    expect({ code, out, err }).toEqual({ code: EXIT.replyError, out: '', err: `(error) ${details}\n` });
  });

  it('exits 1 when a server without snapshots does not know the command', async () => {
    const details = "ERR unknown command 'SNAPSHOT'";
    const { code, err } = await cli(() => ({ error: { code: grpc.status.INVALID_ARGUMENT, details, gokvCode: 'ERR' } }), ['snapshot']);
    expect({ code, err }).toEqual({ code: EXIT.replyError, err: `(error) ${details}\n` });
  });

  it('exits 1 on a reply that is not a snapshot report', async () => {
    const { code, err } = await cli(() => ({ reply: pack('OK') }), ['snapshot']);
    expect({ code, err }).toEqual({ code: EXIT.replyError, err: expect.stringMatching(/^\(error\) ERR unexpected reply to SNAPSHOT/) });
  });

  it('exits 3 when no node answers', async () => {
    const io = captureIo();
    expect(await runCli(['--uri', '127.0.0.1:1', '--timeout', '300', 'snapshot'], io)).toBe(EXIT.connection);
    expect(io.err()).toMatch(/could not connect to 127\.0\.0\.1:1/);
  });

  it('is also reachable as run SNAPSHOT, with no key', async () => {
    const { code, calls } = await cli(() => ({ reply: pack(REPLY) }), ['run', 'snapshot']);
    expect(code).toBe(EXIT.ok);
    expect(calls).toMatchObject([{ command: 'SNAPSHOT', key: '' }]);
  });

  it('formats sizes for people', () => {
    const view = toSnapshotView(new Map<string, number | Buffer>([['path', Buffer.from('/p')], ['bytes', 10], ['keys', 0], ['durationMs', 0]]));
    expect(snapshotText(view)).toBe('path      /p\nsize      10 bytes (10 B)\nkeys      0\nduration  0 ms\n');
  });
});
