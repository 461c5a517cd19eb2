import { describe, expect, it } from 'vitest';
import { GokvError } from '../errors/index.js';
import { queryParamBytes } from './query-bytes.js';

describe('queryParamBytes', () => {
  it.each([
    ['/v1/explain?key=user%3A1', ['user:1']],
    ['/v1/explain?key=a+b&other=1', ['a b']],
    ['/v1/explain?key=%C3%A9', ['\xc3\xa9']], // UTF-8 bytes, one char each
    ['/v1/explain?key=%ff&key=%FE', ['\xff', '\xfe']],
    ['/v1/explain?k%65y=x', ['x']],
    ['/v1/explain?key', ['']],
    ['/v1/explain?key=', ['']],
    ['/v1/explain?keys=x', []],
    ['/v1/explain', []],
  ])('reads %s as %j', (url, values) => {
    expect(queryParamBytes(url, 'key')).toEqual(values);
  });

  it.each(['/v1/explain?key=%', '/v1/explain?key=%4', '/v1/explain?key=%G0', '/v1/explain?key=\u00e9'])('refuses %s', (url) => {
    expect(() => queryParamBytes(url, 'key')).toThrow(GokvError);
  });
});
