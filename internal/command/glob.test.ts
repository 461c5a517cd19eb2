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

  it('agrees with a plain backtracking matcher on 20,000 random patterns and texts', () => {
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const pieces = ['a', 'b', 'c', '*', '*', '?', '[ab]', '[^a]', '[b-c]', '\\*', '\\?'];
    for (let run = 0; run < 20_000; run++) {
      const pattern = Array.from({ length: 1 + rand(8) }, () => pieces[rand(pieces.length)]!).join('');
      const text = Array.from({ length: rand(10) }, () => 'abc*?'[rand(5)]!).join('');
      expect(compileGlob(pattern)(text), `${JSON.stringify(pattern)} ~ ${JSON.stringify(text)}`).toBe(reference(pattern, text));
    }
  });

  it('matches a long pattern against a long key by its segments (a reviewer\'s 7.5 s case)', () => {
    const key = 'a'.repeat(100_000);
    expect(compileGlob(`*${'a'.repeat(10_000)}b`)(key)).toBe(false);
    expect(compileGlob(`*${'a'.repeat(10_000)}`)(key)).toBe(true);
    expect(compileGlob(`*${'a'.repeat(10_000)}b*`)(key)).toBe(false);
    expect(compileGlob(`a*${'a'.repeat(10_000)}*a`)(key)).toBe(true);
    expect(compileGlob('?'.repeat(100_000))(key)).toBe(true);
    expect(compileGlob('?'.repeat(100_001))(key)).toBe(false);
    expect(compileGlob(`${'a'.repeat(70_000)}*${'a'.repeat(30_001)}`)(key)).toBe(false); // the two ends would overlap
  });
});

/** The matcher gokv used before (greedy, one backtrack point): the property test's reference. */
function reference(pattern: string, text: string): boolean {
  type T = { star: true } | { star: false; test: (c: string) => boolean };
  const tokens: T[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') tokens.push({ star: true });
    else if (c === '?') tokens.push({ star: false, test: () => true });
    else if (c === '\\' && i + 1 < pattern.length) {
      const lit = pattern[++i]!;
      tokens.push({ star: false, test: (x) => x === lit });
    } else if (c === '[') {
      const close = pattern.indexOf(']', i);
      const body = pattern.slice(i + 1, close);
      i = close;
      const negate = body.startsWith('^');
      const set = negate ? body.slice(1) : body;
      const inSet = (x: string) => (set.length === 3 && set[1] === '-' ? x >= set[0]! && x <= set[2]! : set.includes(x));
      tokens.push({ star: false, test: (x) => inSet(x) !== negate });
    } else tokens.push({ star: false, test: (x) => x === c });
  }
  let ti = 0;
  let si = 0;
  let starTi = -1;
  let starSi = 0;
  while (si < text.length) {
    const t = tokens[ti];
    if (t?.star) {
      starTi = ti++;
      starSi = si;
    } else if (t !== undefined && t.test(text[si]!)) {
      ti++;
      si++;
    } else if (starTi >= 0) {
      ti = starTi + 1;
      si = ++starSi;
    } else return false;
  }
  while (tokens[ti]?.star) ti++;
  return ti === tokens.length;
}
