import { describe, expect, it } from 'vitest';
import { retainedBytes } from '../store/testing/heap.js';
import { splitInline } from './inline.js';
import { MAX_INLINE_BYTES, RespParser, RespProtocolError } from './parser.js';

const LIMITS = { maxBulkBytes: 1024, maxArgs: 10, maxCommandBytes: 4096 };

/** Every command the parser yields for `chunks`, fed in order; a protocol error ends the list. */
function parseAll(chunks: readonly Buffer[], limits = LIMITS): Array<string[] | string> {
  const parser = new RespParser(limits);
  const out: Array<string[] | string> = [];
  try {
    for (const chunk of chunks) {
      parser.push(chunk);
      for (let cmd = parser.next(); cmd !== undefined; cmd = parser.next()) out.push(cmd);
    }
  } catch (err) {
    if (!(err instanceof RespProtocolError)) throw err;
    out.push(err.message);
  }
  return out;
}

const bulkFrame = (...args: Array<string | Buffer>): Buffer =>
  Buffer.concat([
    Buffer.from(`*${args.length}\r\n`),
    ...args.flatMap((a) => {
      const b = typeof a === 'string' ? Buffer.from(a) : a;
      return [Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n')];
    }),
  ]);

describe('RespParser', () => {
  it('reads multibulk and inline commands, pipelined in one chunk', () => {
    const input = Buffer.concat([bulkFrame('SET', 'k', 'v'), Buffer.from('PING\r\nGET k\n'), bulkFrame('GET', 'k')]);
    expect(parseAll([input])).toEqual([['SET', 'k', 'v'], ['PING'], ['GET', 'k'], ['GET', 'k']]);
  });

  it('yields the same commands whatever byte boundary a frame is split at', () => {
    const input = Buffer.concat([
      bulkFrame('HSET', 'h', 'f', Buffer.from([0xff, 0x00, 0x0d, 0x0a])),
      Buffer.from('ECHO "a b"\r\n'),
      bulkFrame('GET', ''),
    ]);
    const expected = parseAll([input]);
    expect(expected).toHaveLength(3);
    for (let cut = 1; cut < input.length; cut++) {
      expect(parseAll([input.subarray(0, cut), input.subarray(cut)]), `cut at ${cut}`).toEqual(expected);
    }
    // And one byte at a time.
    expect(parseAll([...input].map((b) => Buffer.from([b])))).toEqual(expected);
  });

  it('keeps every byte of a binary value (non-UTF-8, CR, LF, NUL)', () => {
    const value = Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x0a, 0xc3, 0x28]);
    const [cmd] = parseAll([bulkFrame('SET', 'k', value)]) as string[][];
    expect(Buffer.from(cmd![2]!, 'latin1')).toEqual(value);
  });

  it('joins a large bulk once, however many chunks it comes in', () => {
    const parser = new RespParser({ maxBulkBytes: 1 << 20, maxArgs: 10, maxCommandBytes: 1 << 21 });
    const value = Buffer.alloc(300_000, 0x61);
    const frame = bulkFrame('SET', 'k', value);
    for (let i = 0; i < frame.length; i += 1000) {
      parser.push(frame.subarray(i, i + 1000));
      if (i + 1000 < frame.length) expect(parser.next()).toBeUndefined();
    }
    expect(parser.next()?.[2]?.length).toBe(300_000);
    expect(parser.buffered).toBe(0);
  });

  it('reads an empty bulk ($0)', () => {
    expect(parseAll([Buffer.from('*2\r\n$4\r\nECHO\r\n$0\r\n\r\n')])).toEqual([['ECHO', '']]);
  });

  it('skips empty requests and empty inline lines', () => {
    expect(parseAll([Buffer.from('*0\r\n*-1\r\n\r\n\nPING\r\n')])).toEqual([['PING']]);
  });

  it.each([
    ['a non-number count', '*abc\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['a count over the limit', '*11\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['a bulk without $', '*1\r\n:5\r\n', "ERR Protocol error: expected '$', got ':'"],
    ['a bulk over the limit', '*1\r\n$1025\r\n', 'ERR Protocol error: invalid bulk length'],
    ['a negative bulk length', '*1\r\n$-1\r\n', 'ERR Protocol error: invalid bulk length'],
    ['a non-number bulk length', '*1\r\n$x\r\n', 'ERR Protocol error: invalid bulk length'],
    ['a bulk length with a leading zero', '*1\r\n$04\r\nPING\r\n', 'ERR Protocol error: invalid bulk length'],
    ['a bulk length of -0', '*1\r\n$-0\r\n', 'ERR Protocol error: invalid bulk length'],
    ['a count with a leading zero', '*01\r\n$4\r\nPING\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['a count of -0', '*-0\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['unbalanced quotes', 'SET k "v\r\n', 'ERR Protocol error: unbalanced quotes in request'],
    ['a quote glued to a word', 'SET k "v"x\r\n', 'ERR Protocol error: unbalanced quotes in request'],
    ['an inline line with too many words', `${'a '.repeat(11)}\r\n`, 'ERR Protocol error: invalid multibulk length'],
  ])('refuses %s', (_name, input, message) => {
    expect(parseAll([Buffer.from(`PING\r\n${input}`)])).toEqual([['PING'], message]);
  });

  // Each limit is the most allowed, not the first refused: a value of exactly
  // limits.max_value_bytes, or a command of exactly limits.max_args arguments, is served.
  it('accepts a command exactly at each limit', () => {
    const full = 'x'.repeat(1024);
    const ten = Array.from({ length: 10 }, (_, i) => `a${i}`);
    const tight = { ...LIMITS, maxCommandBytes: 3 + 1 + 1024 };
    expect(parseAll([bulkFrame('SET', 'k', full)], tight)).toEqual([['SET', 'k', full]]);
    expect(parseAll([bulkFrame(...ten), Buffer.from(`${ten.join(' ')}\r\n`)])).toEqual([ten, ten]);
  });

  it('refuses a command whose bulks add up past the command limit', () => {
    const big = 'x'.repeat(1000);
    expect(parseAll([bulkFrame('MSET', 'a', big, 'b', big, 'c', big)], { ...LIMITS, maxCommandBytes: 2500 })).toEqual([
      'ERR Protocol error: command larger than limits.max_message_bytes',
    ]);
  });

  it.each([
    ['an inline request with no newline', Buffer.alloc(MAX_INLINE_BYTES + 1, 0x61), 'ERR Protocol error: too big inline request'],
    ['a count line with no CRLF', Buffer.concat([Buffer.from('*'), Buffer.alloc(MAX_INLINE_BYTES + 1, 0x31)]), 'ERR Protocol error: too big mbulk count string'],
    ['a bulk length with no CRLF', Buffer.concat([Buffer.from('*1\r\n$'), Buffer.alloc(MAX_INLINE_BYTES + 1, 0x31)]), 'ERR Protocol error: too big bulk count string'],
  ])('refuses %s instead of buffering it', (_name, input, message) => {
    // Fed in small chunks, as a slow client would send it.
    const chunks = [];
    for (let i = 0; i < input.length; i += 4096) chunks.push(input.subarray(i, i + 4096));
    expect(parseAll(chunks)).toEqual([message]);
  });

  it('never throws anything but a protocol error on random garbage', () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let round = 0; round < 300; round++) {
      const bytes = Buffer.from(Array.from({ length: 1 + (rand() % 64) }, () => ('*$\r\n0123-'.charCodeAt(rand() % 10) || rand())));
      expect(() => parseAll([bytes])).not.toThrow();
    }
  });
});

describe('splitInline', () => {
  it.each([
    ['words', 'SET k v', ['SET', 'k', 'v']],
    ['runs of spaces and tabs', '  GET\t k  ', ['GET', 'k']],
    ['double quotes with escapes', 'SET k "a\\nb\\x41\\"c"', ['SET', 'k', 'a\nbA"c']],
    ['single quotes', "SET k 'it\\'s'", ['SET', 'k', "it's"]],
    ['an empty quoted word', 'SET k ""', ['SET', 'k', '']],
    ['a quote inside a word', 'SET k a"b c"', ['SET', 'k', 'ab c']],
    ['nothing', '   ', []],
  ])('splits %s', (_name, line, words) => {
    expect(splitInline(line)).toEqual(words);
  });

  it.each([['"open'], ["'open"], ['"a"b']])('refuses %j', (line) => {
    expect(splitInline(line)).toBeUndefined();
  });

  it('gives words held in about their own bytes, not a cell per char', () => {
    const { bytes, kept } = retainedBytes(() => {
      const words: string[] = [];
      for (let i = 0; i < 2000; i++) words.push(splitInline(`SET key-${i} ${'v'.repeat(1000)}${i}`)![2]!);
      return words;
    });
    expect(kept).toHaveLength(2000);
    // Unflattened: about 32 KB a word.
    expect(bytes / kept.length).toBeLessThan(2000);
  });
});
