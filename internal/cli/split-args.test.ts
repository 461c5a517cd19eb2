import { describe, expect, it } from 'vitest';
import { splitArgs } from './split-args.js';

const texts = (line: string): string[] | null => splitArgs(line)?.map((arg) => arg.toString('latin1')) ?? null;

describe('splitArgs', () => {
  it.each<[string, string, string[] | null]>([
    ['splits on whitespace', 'HSET  h\tf v ', ['HSET', 'h', 'f', 'v']],
    ['returns nothing for a blank line', '   ', []],
    ['keeps spaces inside double quotes', 'HSET h f "a b"', ['HSET', 'h', 'f', 'a b']],
    ['reads C escapes in double quotes', '"l1\\nl2\\r\\t\\b\\a"', ['l1\nl2\r\t\b\x07']],
    ['reads escaped quote and backslash', '"say \\"hi\\" \\\\"', ['say "hi" \\']],
    ['reads \\xHH as one byte', '"\\xff\\x00\\x41"', ['\xff\x00A']],
    ['keeps \\x without two hex digits as x', '"\\xzz"', ['xzz']],
    ['keeps \\x with only one hex digit as x', '"\\x4g"', ['x4g']],
    ['reads \\xHH digits in either case', '"\\xAF\\xaf\\xFF\\x0F"', ['\xaf\xaf\xff\x0f']],
    ['splits on every C isspace byte', 'a\vb\fc\rd\ne', ['a', 'b', 'c', 'd', 'e']],
    ['keeps other escaped chars as themselves', '"\\q"', ['q']],
    ['takes single quotes literally', "'a \\n \"b\"'", ['a \\n "b"']],
    ['reads \\\' in single quotes', "'it\\'s'", ["it's"]],
    ['gives an empty argument for empty quotes', 'HSET h f ""', ['HSET', 'h', 'f', '']],
    ['joins a quoted part onto a bare prefix', 'a"b c"', ['ab c']],
    ['keeps UTF-8 text as its bytes', 'é', ['\xc3\xa9']],
    ['rejects an unterminated double quote', 'HSET h "abc', null],
    ['rejects an unterminated single quote', "HSET h 'abc", null],
    ['rejects a closing quote followed by a character', '"a"b', null],
    ['rejects a trailing backslash in quotes', '"abc\\', null],
  ])('%s', (_name, line, args) => {
    expect(texts(line)).toEqual(args);
  });

  it('returns binary bytes unchanged', () => {
    expect(splitArgs('SET k "\\x80\\xfe"')?.[2]).toEqual(Buffer.from([0x80, 0xfe]));
  });
});
