import { describe, expect, it } from 'vitest';
import { EncodedReply, ReplyMap, ScanReply, Simple, type Reply } from '../command/index.js';
import { encodeReply } from '../wire/index.js';
import { replyToGoJson, replyToJson } from './reply-json.js';

const b64 = (text: string, enc: BufferEncoding = 'latin1') => Buffer.from(text, enc).toString('base64');
const hash = new ReplyMap([
  ['name', 'ada'],
  ['caf\xc3\xa9', '\xe2\x9c\x93'],
]);

describe('replyToJson', () => {
  it.each<[string, Reply, unknown]>([
    ['nil', null, null],
    ['an integer', 7, 7],
    ['a safe bigint', 12n, 12],
    ['a bigint past 2^53', 2n ** 60n, '1152921504606846976'],
    ['a status', new Simple('OK'), 'OK'],
    ['UTF-8 bytes as text', 'caf\xc3\xa9', 'café'],
    ['a map with UTF-8 fields', hash, { name: 'ada', café: '✓' }],
    ['an array with nil', ['a', null], ['a', null]],
    ['SCAN', new ScanReply('17', ['k1', 'k2']), { NextCursor: '17', Count: 2, Keys: ['k1', 'k2'] }],
  ])('renders %s', (_name, reply, json) => {
    expect(replyToJson(reply, 'utf8')).toEqual({ value: json, encoding: 'utf8' });
  });

  it('renders every byte string as base64 when asked, statuses and numbers as they are', () => {
    expect(replyToJson([new Simple('OK'), 3, 'ab', hash], 'base64')).toEqual({
      value: ['OK', 3, b64('ab'), { [b64('name')]: b64('ada'), [b64('caf\xc3\xa9')]: b64('\xe2\x9c\x93') }],
      encoding: 'base64',
    });
  });

  it('falls back to base64 for the whole reply when one byte string is not UTF-8', () => {
    expect(replyToJson(['ok', '\xff'], 'utf8')).toEqual({ value: [b64('ok'), b64('\xff')], encoding: 'base64' });
    expect(replyToJson(new ScanReply('0', ['\xfe']), 'utf8').encoding).toBe('base64');
  });

  it.each<[string, Reply]>([
    ['a map', hash],
    ['SCAN', new ScanReply('5', ['a', 'caf\xc3\xa9'])],
    ['an array of values and nil', ['x', null, '\xff']],
    ['a status', new Simple('PONG')],
    ['a big integer', 2n ** 62n],
    ['a map that looks like SCAN but holds values', new ReplyMap([['NextCursor', '0'], ['Count', '1'], ['Keys', 'x']])],
  ])('renders a forwarded (MessagePack) reply like the local one: %s', (_name, reply) => {
    for (const enc of ['utf8', 'base64'] as const) {
      expect(replyToJson(new EncodedReply(encodeReply(reply)), enc)).toEqual(replyToJson(reply, enc));
    }
    expect(replyToGoJson(new EncodedReply(encodeReply(reply)))).toEqual(replyToGoJson(reply));
  });
});

describe('replyToGoJson', () => {
  it('writes values as base64 and field names and SCAN keys as text, as the Go gokv did', () => {
    expect(replyToGoJson(hash)).toEqual({ name: b64('ada'), café: b64('\xe2\x9c\x93') });
    expect(replyToGoJson(new ScanReply('0', ['k']))).toEqual({ NextCursor: '0', Count: 1, Keys: ['k'] });
    expect(replyToGoJson(['v', 1, null])).toEqual([b64('v'), 1, null]);
  });
});
