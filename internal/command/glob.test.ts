import { describe, expect, it } from 'vitest';
import { compileGlob } from './glob.js';

describe('compileGlob (Redis MATCH)', () => {
  it.each([
    ['star matches everything', '*', 'anything', true],
    ['star matches empty', '*', '', true],
    ['literal equal', 'user:1', 'user:1', true],
    ['literal different', 'user:1', 'user:2', false],
    ['prefix star', 'user:*', 'user:42', true],
    ['prefix star, other prefix', 'user:*', 'order:42', false],
    ['suffix star', '*:meta', 'a:b:meta', true],
    ['middle star needs backtracking', 'a*b*c', 'axxbyybzc', true],
    ['middle star, missing tail', 'a*b*c', 'axxbyyb', false],
    ['question mark is one byte', 'h?llo', 'hello', true],
    ['question mark needs a byte', 'h?llo', 'hllo', false],
    ['class', 'h[ae]llo', 'hallo', true],
    ['class miss', 'h[ae]llo', 'hillo', false],
    ['negated class', 'h[^e]llo', 'hallo', true],
    ['negated class miss', 'h[^e]llo', 'hello', false],
    ['range', 'k[0-9]', 'k7', true],
    ['reversed range', 'k[9-0]', 'k7', true],
    ['range miss', 'k[0-9]', 'ka', false],
    ['escaped star is literal', 'a\\*b', 'a*b', true],
    ['escaped star is not a wildcard', 'a\\*b', 'axb', false],
    ['escape inside a class', 'a[\\]]b', 'a]b', true],
    ['unclosed class ends at the pattern end', 'a[bc', 'ab', true],
    ['trailing backslash is literal', 'a\\', 'a\\', true],
    ['empty class matches nothing', 'a[]b', 'axb', false],
    ['double star', 'a**', 'abc', true],
    ['a dash before the end makes a range up to "]"', 'a[b-]', 'a^', true],
    ['that range excludes bytes above b', 'a[b-]', 'ac', false],
    ['binary bytes', '\xff*', '\xff\x00\x01', true],
    ['binary byte miss', '\xff*', '\xfe', false],
    ['many stars do not blow up', '*a*a*a*a*a*a*a*a*b', 'a'.repeat(200), false],
  ])('%s: %j ~ %j', (_name, pattern, text, expected) => {
    expect(compileGlob(pattern)(text)).toBe(expected);
  });
});
