import { describe, expect, it } from 'vitest';
import type { DecodedReply } from '../wire/index.js';
import { formatJson, toJson, type JsonValue } from './format-json.js';

const b = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('toJson', () => {
  it.each<[string, DecodedReply, JsonValue]>([
    ['nil as null', null, null],
    ['an integer as a number', 2, 2],
    ['a safe bigint as a number', 42n, 42],
    ['an unsafe bigint as a decimal string', 9007199254740993n, '9007199254740993'],
    ['the largest safe bigint as a number', 9007199254740991n, 9007199254740991],
    ['the smallest safe bigint as a number', -9007199254740991n, -9007199254740991],
    ['a double as a number', 1.5, 1.5],
    ['an infinite double as its text (JSON has no inf)', Infinity, 'Infinity'],
    ['a negative infinite double as its text', -Infinity, '-Infinity'],
    ['a negative unsafe bigint as a string', -9223372036854775808n, '-9223372036854775808'],
    ['a status as its text', 'OK', 'OK'],
    ['UTF-8 bytes as text', b('héllo'), 'héllo'],
    ['invalid UTF-8 as base64', Buffer.from([0xff, 0xfe]), { base64: '//4=' }],
    ['an empty array', [], []],
    ['an empty map as an empty object', new Map(), {}],
    ['nested arrays', [[b('a'), null], [1n]], [['a', null], [1]]],
    ['a map as an object', new Map<string | Buffer, DecodedReply>([['f', b('v')], [b('g'), Buffer.from([0x80])]]), { f: 'v', g: { base64: 'gA==' } }],
    ['a binary field as a base64: key', new Map([[Buffer.from([0xff]), b('v')]]), { 'base64:/w==': 'v' }],
    [
      'a SCAN map as {NextCursor, Count, Keys}',
      new Map<string, DecodedReply>([['NextCursor', '0'], ['Count', 1], ['Keys', ['k']]]),
      { NextCursor: '0', Count: 1, Keys: ['k'] },
    ],
  ])('converts %s', (_name, reply, json) => {
    expect(toJson(reply)).toEqual(json);
  });

  it('keeps a field named __proto__ as an ordinary key', () => {
    const text = formatJson(toJson(new Map([['__proto__', b('x')]])), false);
    expect(text).toBe('{"__proto__":"x"}\n');
  });

  it('indents by two spaces when pretty and prints one line otherwise', () => {
    expect(formatJson({ a: [1] }, true)).toBe('{\n  "a": [\n    1\n  ]\n}\n');
    expect(formatJson({ a: [1] }, false)).toBe('{"a":[1]}\n');
  });
});
