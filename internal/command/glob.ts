import type { BinStr } from './reply.js';

/** One pattern position: a literal byte, `?`, `*`, or a `[...]` class. */
type Token =
  | { readonly kind: 'lit'; readonly code: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' }
  | { readonly kind: 'class'; readonly negate: boolean; readonly test: (code: number) => boolean };

/**
 * Compiles a Redis glob (SCAN MATCH, as Redis's stringmatchlen reads it): `*` any run, `?` one
 * byte, `[abc]`, `[^a]`, `[a-z]` (reversed ranges allowed), `\x` a literal x. An unclosed `[`
 * ends at the pattern's end and a trailing `\` is a literal, as in Redis. Matching is
 * byte-wise on binary strings and O(pattern x text) at worst (no exponential backtracking).
 */
export function compileGlob(pattern: BinStr): (text: BinStr) => boolean {
  if (pattern === '*') return () => true;
  if (!/[*?[\\]/.test(pattern)) return (text) => text === pattern;
  const tokens = tokenize(pattern);
  return (text) => matchTokens(tokens, text);
}

function tokenize(p: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') {
      if (out.at(-1)?.kind !== 'star') out.push({ kind: 'star' }); // "**" is "*"
    } else if (c === '?') {
      out.push({ kind: 'any' });
    } else if (c === '\\' && i + 1 < p.length) {
      out.push({ kind: 'lit', code: p.charCodeAt(++i) });
    } else if (c === '[') {
      i = readClass(p, i + 1, out);
    } else {
      out.push({ kind: 'lit', code: p.charCodeAt(i) });
    }
  }
  return out;
}

/** Reads a class starting after `[`; pushes its token and returns the index of its `]`. */
function readClass(p: string, start: number, out: Token[]): number {
  let i = start;
  const negate = p[i] === '^';
  if (negate) i++;
  const singles = new Set<number>();
  const ranges: Array<[number, number]> = [];
  for (; i < p.length && p[i] !== ']'; i++) {
    if (p[i] === '\\' && i + 1 < p.length) {
      singles.add(p.charCodeAt(++i));
    } else if (p[i + 1] === '-' && i + 2 < p.length) {
      const a = p.charCodeAt(i);
      const b = p.charCodeAt(i + 2);
      ranges.push(a <= b ? [a, b] : [b, a]);
      i += 2;
    } else {
      singles.add(p.charCodeAt(i));
    }
  }
  const test = (code: number): boolean =>
    singles.has(code) || ranges.some(([lo, hi]) => code >= lo && code <= hi);
  out.push({ kind: 'class', negate, test });
  return i; // at ']' or at the end of the pattern (Redis treats the end as closing)
}

function matchOne(t: Token, code: number): boolean {
  switch (t.kind) {
    case 'lit':
      return t.code === code;
    case 'any':
      return true;
    case 'class':
      return t.test(code) !== t.negate;
    case 'star':
      return false;
  }
}

/**
 * Greedy match with one backtrack point, the last `*`: since every other token eats exactly one
 * byte, retrying from the last star with one more byte swallowed finds any match.
 */
function matchTokens(tokens: readonly Token[], text: string): boolean {
  let ti = 0;
  let si = 0;
  let starTi = -1;
  let starSi = 0;
  while (si < text.length) {
    const t = tokens[ti];
    if (t !== undefined && t.kind === 'star') {
      starTi = ti++;
      starSi = si;
    } else if (t !== undefined && matchOne(t, text.charCodeAt(si))) {
      ti++;
      si++;
    } else if (starTi >= 0) {
      ti = starTi + 1;
      si = ++starSi;
    } else {
      return false;
    }
  }
  while (tokens[ti]?.kind === 'star') ti++;
  return ti === tokens.length;
}
