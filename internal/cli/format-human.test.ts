import { describe, expect, it } from 'vitest';
import type { DecodedReply } from '../wire/index.js';
import { formatHuman, quoteBytes } from './format-human.js';

const b = (text: string): Buffer => Buffer.from(text, 'utf8');
const map = (...entries: Array<[string | Buffer, DecodedReply]>): DecodedReply => new Map(entries);

describe('formatHuman', () => {
  it.each<[string, DecodedReply, string]>([
    ['an integer', 2, '(integer) 2\n'],
    ['a negative integer', -7, '(integer) -7\n'],
    ['a bigint', 9007199254740993n, '(integer) 9007199254740993\n'],
    ['nil', null, '(nil)\n'],
    ['a status (msgpack str) bare', 'OK', 'OK\n'],
    ['a type name bare', 'hash', 'hash\n'],
    ['bytes quoted', b('value'), '"value"\n'],
    ['bytes with a space and quote escaped', b('a "b"\\'), '"a \\"b\\"\\\\"\n'],
    ['control bytes as C escapes', b('l1\nl2\r\t\x07\x08'), '"l1\\nl2\\r\\t\\a\\b"\n'],
    ['a non-printable byte as \\xHH', Buffer.from([0xff, 0x00]), '"\\xff\\x00"\n'],
    ['UTF-8 bytes escaped byte by byte as redis-cli does', b('é'), '"\\xc3\\xa9"\n'],
    ['empty bytes', Buffer.alloc(0), '""\n'],
    ['true', true, '(true)\n'],
    ['a float', 1.5, '(double) 1.5\n'],
    ['an empty array', [], '(empty array)\n'],
    ['an empty map', new Map(), '(empty hash)\n'],
    ['an array with nil', [b('a'), null, 3], '1) "a"\n2) (nil)\n3) (integer) 3\n'],
    ['strings inside an array quoted', ['k1', 'k2'], '1) "k1"\n2) "k2"\n'],
    [
      'a nested array indented under its index',
      [[b('a'), b('b')], b('c'), []],
      '1) 1) "a"\n   2) "b"\n2) "c"\n3) (empty array)\n',
    ],
    [
      'a doubly nested array',
      [[[b('x')], b('y')]],
      '1) 1) 1) "x"\n   2) "y"\n',
    ],
    [
      'indexes right-aligned past nine',
      Array.from({ length: 10 }, (_, i) => i),
      Array.from({ length: 10 }, (_, i) => `${String(i + 1).padStart(2)}) (integer) ${i}\n`).join(''),
    ],
    ['a map as numbered pairs', map(['f', b('v')], ['g', b('w')]), '1# "f" => "v"\n2# "g" => "w"\n'],
    ['a map with a binary field', map([Buffer.from([0xfe]), b('v')]), '1# "\\xfe" => "v"\n'],
    [
      // redis-cli indents a map value's later lines by the map's prefix only, not past " => ".
      'a SCAN map with its key array nested',
      map(['NextCursor', '1.0'], ['Count', 2], ['Keys', ['a', Buffer.from([0xff])]]),
      '1# "NextCursor" => "1.0"\n2# "Count" => (integer) 2\n3# "Keys" => 1) "a"\n   2) "\\xff"\n',
    ],
    ['a map nested in an array', [map(['f', b('v')])], '1) 1# "f" => "v"\n'],
  ])('renders %s', (_name, reply, text) => {
    expect(formatHuman(reply)).toBe(text);
  });

  it('quotes every byte value the way redis-cli does', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const quoted = quoteBytes(all);
    expect(quoted).toMatch(/^"\\x00\\x01.*\\x7f\\x80.*\\xff"$/s);
    expect(quoted).toContain(' !\\"#$%&');
    // isprint: every byte from space to tilde is itself (bar the two escaped), tilde included.
    expect(quoted).toContain('xyz{|}~\\x7f');
  });
});
