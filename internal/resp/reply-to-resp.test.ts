import { describe, expect, it } from 'vitest';
import { EncodedReply, OK, ReplyMap, ScanReply, Simple, type Reply } from '../command/index.js';
import { encodeReply } from '../wire/index.js';
import { flatPairsToResp, replyToResp } from './reply-to-resp.js';

describe('replyToResp', () => {
  // Each reply is checked as produced here and as forwarded from another node (MessagePack).
  it.each<[string, Reply, string]>([
    ['an integer', 42, ':42\r\n'],
    ['a negative 64-bit integer', -9223372036854775808n, ':-9223372036854775808\r\n'],
    ['nil', null, '$-1\r\n'],
    ['a status', OK, '+OK\r\n'],
    ['TYPE', new Simple('string'), '+string\r\n'],
    ['bytes', 'v\xff\r\n', '$4\r\nv\xff\r\n\r\n'],
    ['an empty string', '', '$0\r\n\r\n'],
    ['an array with nil', ['a', null], '*2\r\n$1\r\na\r\n$-1\r\n'],
    ['an empty array', [], '*0\r\n'],
    ['a map as a flat array', new ReplyMap([['f', 'v'], ['\xff', '1']]), '*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\n\xff\r\n$1\r\n1\r\n'],
    ['SCAN as [cursor, keys]', new ScanReply('123', ['a', 'b']), '*2\r\n$3\r\n123\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n'],
    ['a finished SCAN page with no keys', new ScanReply('0', []), '*2\r\n$1\r\n0\r\n*0\r\n'],
  ])('renders %s, local or forwarded', (_name, reply, resp) => {
    expect(replyToResp(reply)).toBe(resp);
    expect(replyToResp(new EncodedReply(encodeReply(reply)))).toBe(resp);
  });
});

describe('flatPairsToResp', () => {
  // HRANDFIELD WITHVALUES: RESP3 keeps gokv's [[f, v], ...]; RESP2 gets Redis's flat array.
  const pairs: Reply = [['f', 'v'], ['\xff', ''], ['f', 'v']];

  it.each<[string, Reply, string]>([
    ['pairs, flat', pairs, '*6\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\n\xff\r\n$0\r\n\r\n$1\r\nf\r\n$1\r\nv\r\n'],
    ['no pairs', [], '*0\r\n'],
  ])('renders %s, local or forwarded', (_name, reply, resp) => {
    expect(flatPairsToResp(reply)).toBe(resp);
    expect(flatPairsToResp(new EncodedReply(encodeReply(reply)))).toBe(resp);
  });

  it('leaves them nested for RESP3', () => {
    expect(replyToResp(pairs, true)).toBe('*3\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\n\xff\r\n$0\r\n\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n');
  });
});

describe('encode', () => {
  it('keeps statuses and errors on one line and writes text as UTF-8 bytes', async () => {
    const { error, simple, bulkText, bulkArray } = await import('./encode.js');
    expect(error('ERR bad\r\nthing')).toBe('-ERR bad thing\r\n');
    expect(simple('héllo')).toBe('+h\xc3\xa9llo\r\n');
    expect(bulkText('é')).toBe('$2\r\n\xc3\xa9\r\n');
    expect(bulkArray(['a', null])).toBe('*2\r\n$1\r\na\r\n$-1\r\n');
  });
});
