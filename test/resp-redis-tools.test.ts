import { execFile, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../internal/config/index.js';
import { silentLogger } from '../internal/log/index.js';
import { startNode, type GokvNode } from '../internal/node/index.js';

// Debian's redis-tools (.ci/run installs it when missing); without it these tests skip.
const has = (program: string) => spawnSync(program, ['--version']).status === 0;

function run(program: string, args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile(program, args, { timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ stdout, stderr, code: err ? Number((err as { code?: number }).code ?? 1) : 0 }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

let node: GokvNode;
let port: string;

beforeAll(async () => {
  node = await startNode(testConfig({ node: { id: 'redis-tools' } }), { log: silentLogger() });
  port = node.addresses.resp!.slice(node.addresses.resp!.lastIndexOf(':') + 1);
});

afterAll(async () => {
  await node.stop({ leave: false });
});

describe.skipIf(!has('redis-cli'))('redis-cli', () => {
  // redis-cli formats replies only for a terminal; --no-raw asks for the same formatting here.
  const cli = (...args: string[]) => run('redis-cli', ['--no-raw', '-p', port, ...args]);

  it('prints (integer) 1 for HSET h f v', async () => {
    expect((await cli('HSET', 'h', 'f', 'v')).stdout).toBe('(integer) 1\n');
  });

  it.each([
    [['SET', 'cli:s', 'hello world'], 'OK\n'],
    [['GET', 'cli:s'], '"hello world"\n'],
    [['GET', 'cli:none'], '(nil)\n'],
    [['HGET', 'h', 'f'], '"v"\n'],
    [['HGETALL', 'h'], '1) "f"\n2) "v"\n'],
    [['TYPE', 'h'], 'hash\n'],
    [['RPUSH', 'cli:l', 'a', 'b'], '(integer) 2\n'],
    [['LRANGE', 'cli:l', '0', '-1'], '1) "a"\n2) "b"\n'],
    [['GET', 'h'], '(error) WRONGTYPE Operation against a key holding the wrong kind of value\n'],
    [['HSET', 'h', 'f'], "(error) ERR wrong number of arguments for 'hset' command\n"],
    [['SELECT', '1'], '(error) ERR DB index is out of range\n'],
  ])('runs %j', async (args, output) => {
    expect((await cli(...args)).stdout).toBe(output);
  });

  it('keeps binary values intact (-x reads the value from stdin)', async () => {
    await run('redis-cli', ['-p', port, '-x', 'SET', 'cli:bin'], '\u00ff\u0000\r\nend');
    expect((await cli('GET', 'cli:bin')).stdout).toBe('"\\xc3\\xbf\\x00\\r\\nend"\n');
  });

  // Interactive redis-cli reads COMMAND DOCS at start for its hints and asserts on the reply
  // types (it aborted on bulk-string argument flags); `script` gives it the terminal it needs.
  it.skipIf(!has('script'))('runs interactively, hints loaded from COMMAND DOCS', async () => {
    const out = await new Promise<string>((resolve) => {
      const child = execFile('script', ['-qc', `redis-cli -p ${port}`, '/dev/null'], { env: { ...process.env, TERM: 'dumb' }, timeout: 20_000 }, (_err, stdout, stderr) =>
        resolve(`${stdout}${stderr}`),
      );
      child.stdin!.end('HSET ih f v\nHGET ih f\nNOSUCH x\nquit\n');
    });
    const text = out.replace(/\r/g, '');
    expect(text).not.toMatch(/Assertion|Aborted/);
    // The terminal echoes the input when it arrives, which may be before or after redis-cli
    // prints its first prompt: the replies are checked as lines, each after a prompt.
    expect(text).toContain(`127.0.0.1:${port}> `);
    const lines = text.split('\n').map((l) => l.replace(`127.0.0.1:${port}> `, '').trim());
    const reply = (r: string) => lines.findIndex((l) => l.startsWith(r));
    expect(reply('(integer) 1')).toBeGreaterThan(-1);
    expect(reply('"v"')).toBeGreaterThan(reply('(integer) 1'));
    expect(reply("(error) ERR unknown command 'NOSUCH'")).toBeGreaterThan(reply('"v"'));
  });

  it('loads commands with --pipe and reports no errors', async () => {
    const commands = Array.from({ length: 1000 }, (_, i) => `SET pipe:${i} ${i}\r\n`).join('');
    const { stdout } = await run('redis-cli', ['-p', port, '--pipe'], commands);
    expect(stdout).toMatch(/errors: 0, replies: 1000/);
    expect((await cli('GET', 'pipe:999')).stdout).toBe('"999"\n');
  });
});

describe.skipIf(!has('redis-benchmark'))('redis-benchmark', () => {
  /** The `TEST: N requests per second` lines of `-q` output (progress lines end in CR). */
  const summaries = (out: string) => out.split(/[\r\n]+/).filter((l) => /requests per second/.test(l)).map((l) => l.trim());

  it('completes set, get, lpush, lpop and hset with no errors', async () => {
    // 20,000 requests keep the test short on a shared CI machine; the README shows -n 100000.
    const { stdout, stderr, code } = await run('redis-benchmark', ['-p', port, '-t', 'set,get,lpush,lpop,hset', '-n', '20000', '-q']);
    expect(code).toBe(0);
    expect(`${stdout}${stderr}`).not.toMatch(/error/i);
    expect(summaries(stdout).map((l) => l.split(':')[0])).toEqual(['SET', 'GET', 'LPUSH', 'LPOP', 'HSET']);
  });

  it('completes pipelined (-P 16) with no errors', async () => {
    const { stdout, stderr, code } = await run('redis-benchmark', ['-p', port, '-t', 'set,get,hset', '-n', '20000', '-P', '16', '-q']);
    expect(code).toBe(0);
    expect(`${stdout}${stderr}`).not.toMatch(/error/i);
    expect(summaries(stdout)).toHaveLength(3);
  });
});
