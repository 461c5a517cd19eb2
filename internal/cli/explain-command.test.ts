import * as grpc from '@grpc/grpc-js';
import { pack } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.js';
import { ttlText } from './explain-view.js';
import { runCli } from './run-cli.js';
import { captureIo } from './testing/capture-io.js';
import { startFakeServer, type FakeServer } from './testing/fake-server.js';

/** EXPLAIN's reply as a node encodes it: the key as bin, ids and words as str. */
const EXPLAINED = new Map<string, unknown>([
  ['key', Buffer.from('user:1')],
  ['position', 2147483648],
  ['ringVersion', 42],
  ['node', 'n2'],
  ['leader', 'n1'],
  ['replicas', ['n2', 'n3']],
  ['statuses', new Map([['n1', 'alive'], ['n2', 'alive'], ['n3', 'suspect']])],
  ['type', 'hash'],
  ['ttlMs', 3_723_000],
  ['role', 'replica'],
  ['holdsCopy', 1],
]);

describe('gokv-cli explain', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeServer({
      answer: (req) =>
        req.key === 'down'
          ? { error: { code: grpc.status.UNAVAILABLE, details: 'UNAVAILABLE no owner reachable', gokvCode: 'UNAVAILABLE' } }
          : { reply: pack(EXPLAINED) },
    });
  });
  afterAll(() => server.close());

  const cli = async (...args: string[]) => {
    const io = captureIo();
    const code = await runCli(['--uri', server.addr, '--timeout', '300', ...args], io);
    return { code, out: io.out(), err: io.err() };
  };

  it('sends EXPLAIN with the key and prints one aligned line per fact', async () => {
    const { code, out } = await cli('explain', 'user:1');
    expect(code).toBe(EXIT.ok);
    expect(server.calls.at(-1)).toMatchObject({ command: 'EXPLAIN', key: 'user:1', args: [] });
    expect(out).toBe(
      [
        'key          "user:1"',
        'leader       n1 (alive)',
        'replicas     n2 (alive), n3 (suspect)',
        'type         hash',
        'ttl          1h2m3s (3723000 ms)',
        'answered by  n2 (replica, holds a copy)',
        'ring         position 2147483648 (50.0%), version 42',
        '',
      ].join('\n'),
    );
  });

  it('prints the reply as JSON with --json', async () => {
    const { code, out } = await cli('explain', '--json', 'user:1');
    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(out)).toEqual({
      key: 'user:1',
      position: 2147483648,
      ringVersion: 42,
      node: 'n2',
      leader: 'n1',
      replicas: ['n2', 'n3'],
      statuses: { n1: 'alive', n2: 'alive', n3: 'suspect' },
      type: 'hash',
      ttlMs: 3_723_000,
      role: 'replica',
      holdsCopy: 1,
    });
  });

  it('reports a failure on stderr with the connection exit code', async () => {
    const { code, err } = await cli('explain', 'down');
    expect(code).toBe(EXIT.connection);
    expect(err).toContain('UNAVAILABLE');
  });

  it('needs a key', async () => {
    const { code, err } = await cli('explain');
    expect(code).toBe(EXIT.usage);
    expect(err).toMatch(/missing required argument 'key'/);
  });

  it.each([
    [-2, 'none (the key does not exist)'],
    [-1, 'no expiry'],
    [250, '250ms (250 ms)'],
    [90_061_000, '1d1h1m1s (90061000 ms)'],
    [null, 'unknown'],
  ])('words a TTL of %s ms as %s', (ttl, words) => {
    expect(ttlText(ttl)).toBe(words);
  });
});
