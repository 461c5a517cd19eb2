import { type BinStr, flatCopy } from '../store/index.js';

const HEX = /^[0-9a-fA-F]{2}$/;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\v' || c === '\f';

/**
 * Splits an inline command line as Redis's sdssplitargs does (what redis-cli and telnet users
 * type): words separated by spaces; "double quotes" with \n \r \t \b \a \\ \" and \xHH escapes;
 * 'single quotes' with \' only. A closing quote must end the word. Returns undefined for
 * unbalanced quotes (Redis's "Protocol error: unbalanced quotes in request").
 */
export function splitInline(line: BinStr): BinStr[] | undefined {
  const out: BinStr[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return out;
    let word = '';
    let quote: '"' | "'" | undefined;
    for (;;) {
      const c = line[i];
      if (quote === '"') {
        if (c === undefined) return undefined;
        if (c === '\\' && line[i + 1] === 'x' && HEX.test(line.slice(i + 2, i + 4))) {
          word += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 4;
          continue;
        }
        if (c === '\\' && i + 1 < n) {
          const e = line[i + 1]!;
          word += ESCAPES[e] ?? e;
          i += 2;
          continue;
        }
        i++;
        if (c === '"') {
          if (i < n && !isSpace(line[i])) return undefined; // "foo"bar
          break;
        }
        word += c;
      } else if (quote === "'") {
        if (c === undefined) return undefined;
        if (c === '\\' && line[i + 1] === "'") {
          word += "'";
          i += 2;
          continue;
        }
        i++;
        if (c === "'") {
          if (i < n && !isSpace(line[i])) return undefined;
          break;
        }
        word += c;
      } else {
        if (c === undefined || isSpace(c)) break;
        if (c === '"' || c === "'") quote = c;
        else word += c;
        i++;
      }
    }
    // Built a char at a time, a word past 12 chars is a chain of 32 B cons cells (a 1 KB value
    // held 32 KB) until something flattens it: stored so, memory accounting would miss most of it.
    out.push(word.length > 12 ? flatCopy(word) : word);
  }
}
