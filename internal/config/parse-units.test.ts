import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  isWildcardHost,
  normalizeAddress,
  parseAddress,
  parseDuration,
  parseSeeds,
  parseSize,
} from './parse-units.js';

describe('parseDuration', () => {
  it.each([
    ['10s', 10_000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5s', 1_500],
    ['1.1s', 1_100],
    ['2h', 7_200_000],
    ['1h1m1s1ms', 3_661_001],
    ['0', 0],
    ['0s', 0],
    ['1000', 1_000],
    [' 3S ', 3_000],
    [250, 250],
    [0, 0],
  ] as const)('reads %j as %i ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([
    ['', 'empty'],
    ['lots', 'no number'],
    ['-1s', 'negative'],
    ['1.5', 'a fraction with no unit'],
    ['10 s', 'a space inside'],
    ['1d', 'an unknown unit'],
    ['1m30', 'a trailing number with no unit'],
    ['0.5ms', 'less than a millisecond'],
    [-5, 'a negative number'],
    [1.5, 'a fractional number'],
  ] as const)('rejects %j (%s)', (input, _why) => {
    expect(() => parseDuration(input)).toThrow(/duration|milliseconds/);
  });

  it('quotes the bad text in its message', () => {
    expect(() => parseDuration('soon')).toThrow('expected a duration like 10s, 500ms or 1m30s (a bare number is milliseconds), got "soon"');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [1_500, '1s500ms'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
  ])('writes %i ms as %s, which parses back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('parseSize', () => {
  it.each([
    ['64mb', 64 * 1024 ** 2],
    ['1gb', 1024 ** 3],
    ['512kb', 512 * 1024],
    ['1k', 1024],
    ['1KiB', 1024],
    ['1.5m', 1.5 * 1024 ** 2],
    ['100b', 100],
    ['100', 100],
    ['64 MB', 64 * 1024 ** 2],
    ['0', 0],
    ['2t', 2 * 1024 ** 4],
    [4096, 4096],
    [0, 0],
  ] as const)('reads %j as %i bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each([['lots'], [''], ['-1mb'], ['1.5'], ['1.5b'], ['10 zb'], ['mb'], [-1], [0.5], ['1e3']] as const)(
    'rejects %j',
    (input) => {
      expect(() => parseSize(input)).toThrow(/size|bytes/);
    },
  );

  it('quotes the bad text in its message', () => {
    expect(() => parseSize('lots')).toThrow('expected a size like 64mb, got "lots"');
  });
});

describe('parseAddress', () => {
  it.each([
    ['127.0.0.1:7946', '127.0.0.1', 7946],
    ['0.0.0.0:0', '0.0.0.0', 0],
    ['localhost:65535', 'localhost', 65_535],
    ['GOKV1:50051', 'gokv1', 50_051],
    ['gokv_1.internal:8080', 'gokv_1.internal', 8080],
    ['[::1]:7946', '::1', 7946],
    ['[::]:7946', '::', 7946],
    [' 10.0.0.5:080 ', '10.0.0.5', 80],
  ])('reads %j as host %s port %i', (text, host, port) => {
    expect(parseAddress(text)).toEqual({ host, port });
  });

  it.each([
    ['7946', /host:port/],
    [':7946', /every interface/],
    ['host:', /port 0-65535/],
    ['host:65536', /port 0-65535/],
    ['host:-1', /port 0-65535/],
    ['host:http', /port 0-65535/],
    ['::1:7946', /brackets/],
    ['[127.0.0.1]:7946', /bad host/],
    ['[::1:7946', /host:port/],
    ['999.1.1.1:80', /bad host/],
    ['my host:80', /bad host/],
    ['http://host:80', /host:port/],
    ['', /host:port/],
  ])('rejects %j', (text, message) => {
    expect(() => parseAddress(text)).toThrow(message);
  });

  it('writes IPv6 hosts back in brackets', () => {
    expect(normalizeAddress('[::1]:07946')).toBe('[::1]:7946');
    expect(normalizeAddress('LocalHost:1')).toBe('localhost:1');
  });

  it.each([
    ['0.0.0.0', true],
    ['::', true],
    ['0:0:0:0:0:0:0:0', true],
    ['127.0.0.1', false],
    ['::1', false],
  ])('knows whether %s is the any-interface host', (host, wildcard) => {
    expect(isWildcardHost(host)).toBe(wildcard);
  });
});

describe('parseSeeds', () => {
  it.each([
    ['', []],
    ['127.0.0.1:7947', [{ addr: '127.0.0.1:7947' }]],
    ['gokv2=127.0.0.1:7947', [{ id: 'gokv2', addr: '127.0.0.1:7947' }]],
    [
      ' gokv2=gokv2:7946 , gokv3:7946 ,',
      [{ id: 'gokv2', addr: 'gokv2:7946' }, { addr: 'gokv3:7946' }],
    ],
    ['[::1]:7947', [{ addr: '[::1]:7947' }]],
    ['a:1,a:1', [{ addr: 'a:1' }]],
  ])('reads %j', (text, seeds) => {
    expect(parseSeeds(text)).toEqual(seeds);
  });

  it('drops the node\'s own advertise address', () => {
    const text = 'gokv1=127.0.0.1:7946,gokv2=127.0.0.1:7947';
    expect(parseSeeds(text, '127.0.0.1:7946')).toEqual([{ id: 'gokv2', addr: '127.0.0.1:7947' }]);
  });

  it.each([
    ['gokv2', 'bad seed "gokv2"'],
    ['=127.0.0.1:7947', 'bad seed "=127.0.0.1:7947": bad node id ""'],
    ['a b=h:1', 'bad seed "a b=h:1": bad node id "a b"'],
    ['h:0', 'bad seed "h:0": port 0 cannot be dialled'],
    ['0.0.0.0:7946', 'bad seed "0.0.0.0:7946": 0.0.0.0 cannot be dialled'],
    ['x=h:1,y=h:1', 'bad seed "y=h:1": h:1 is listed twice with other ids'],
  ])('rejects %j, naming the entry', (text, message) => {
    expect(() => parseSeeds(text)).toThrow(message);
  });

  it('names every bad entry in one error', () => {
    expect(() => parseSeeds('ok:1,bad,worse:99999')).toThrow(/bad seed "bad".*; bad seed "worse:99999"/);
  });
});
