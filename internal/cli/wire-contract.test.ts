import { describe, expect, it } from 'vitest';
import { OK, ReplyMap, ScanReply, Simple, type Reply } from '../command/index.js';
import { decodeReply, encodeReply } from '../wire/index.js';
import { formatHuman } from './format-human.js';
import { toJson, type JsonValue } from './format-json.js';

/** Byte strings as command/ holds them: one byte per char (latin1). */
const bin = (bytes: number[]): string => Buffer.from(bytes).toString('latin1');

// Pins the formatters to what a gokv node really sends, not only to msgpackr's idea of it.
describe('formatting what wire/ encodes', () => {
  it.each<[string, Reply, string, JsonValue]>([
    ['OK', OK, 'OK\n', 'OK'],
    ['a type name', new Simple('list'), 'list\n', 'list'],
    ['an integer', 3, '(integer) 3\n', 3],
    ['a large integer', 2n ** 62n, '(integer) 4611686018427387904\n', '4611686018427387904'],
    ['nil', null, '(nil)\n', null],
    ['a value', 'v', '"v"\n', 'v'],
    ['a binary value', bin([0xff, 0x01]), '"\\xff\\x01"\n', { base64: '/wE=' }],
    ['an array with nil', ['a', null], '1) "a"\n2) (nil)\n', ['a', null]],
    ['a hash', new ReplyMap([['f', 'v'], [bin([0xfe]), '1']]), '1# "f" => "v"\n2# "\\xfe" => "1"\n', { f: 'v', 'base64:/g==': '1' }],
    ['an empty hash', new ReplyMap([]), '(empty hash)\n', {}],
    [
      'a SCAN page',
      new ScanReply('1.5', ['k1', bin([0xc3, 0xa9])]),
      '1# "NextCursor" => "1.5"\n2# "Count" => (integer) 2\n3# "Keys" => 1) "k1"\n   2) "\\xc3\\xa9"\n',
      { NextCursor: '1.5', Count: 2, Keys: ['k1', 'é'] },
    ],
  ])('renders %s', (_name, reply, text, json) => {
    const decoded = decodeReply(encodeReply(reply));
    expect(formatHuman(decoded)).toBe(text);
    expect(toJson(decoded)).toEqual(json);
  });
});
