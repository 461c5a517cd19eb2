import { GokvError, notInteger, syntaxError } from '../errors/index.js';
import { INT64_MAX, asciiUpper, parseInt64 } from './parse.js';
import type { BinStr } from './reply.js';

/** SET's options once parsed: the write condition, GET, and the expiry to apply. */
export interface SetOptions {
  readonly condition: 'NX' | 'XX' | undefined;
  readonly get: boolean;
  /** 'keep' (KEEPTTL), an absolute ms time, or undefined (the key loses any TTL). */
  readonly expire: 'keep' | number | undefined;
}

type ExpireWord = 'EX' | 'PX' | 'EXAT' | 'PXAT';
const EXPIRE_WORDS: ReadonlySet<string> = new Set(['EX', 'PX', 'EXAT', 'PXAT']);

export const invalidSetExpire = (name: string): GokvError =>
  new GokvError('ERR', `ERR invalid expire time in '${name.toLowerCase()}' command`);

/** The words SET and GETEX share a reading of (Redis's parseExtendedStringArgumentsOrReply). */
interface StringWords {
  condition: 'NX' | 'XX' | undefined;
  get: boolean;
  keepTtl: boolean;
  persist: boolean;
  expireWord: ExpireWord | undefined;
  expireArg: BinStr | undefined;
}

/**
 * SET's or GETEX's option words, read as Redis reads them: any order and case; NX, XX, GET and
 * KEEPTTL only for SET, PERSIST only for GETEX; NX with XX, two different expiry words, or an
 * expiry word with KEEPTTL or PERSIST is a syntax error (the same word twice: the last wins).
 */
function readWords(words: readonly BinStr[], command: 'SET' | 'GETEX'): StringWords {
  const r: StringWords = { condition: undefined, get: false, keepTtl: false, persist: false, expireWord: undefined, expireArg: undefined };
  const set = command === 'SET';
  for (let i = 0; i < words.length; i++) {
    const w = asciiUpper(words[i]!);
    if (set && (w === 'NX' || w === 'XX') && (r.condition === undefined || r.condition === w)) {
      r.condition = w;
    } else if (set && w === 'GET') {
      r.get = true;
    } else if (set && w === 'KEEPTTL' && r.expireWord === undefined) {
      r.keepTtl = true;
    } else if (!set && w === 'PERSIST' && r.expireWord === undefined) {
      r.persist = true;
    } else if (EXPIRE_WORDS.has(w) && !r.keepTtl && !r.persist && (r.expireWord === undefined || r.expireWord === w) && i + 1 < words.length) {
      r.expireWord = w as ExpireWord;
      r.expireArg = words[++i];
    } else {
      throw syntaxError();
    }
  }
  return r;
}

/**
 * SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]. The time is checked after the
 * words: not an integer, then <= 0 or overflowing, as Redis's getExpireMillisecondsOrReply does.
 */
export function parseSetOptions(words: readonly BinStr[], nowMs: number, name = 'SET'): SetOptions {
  const { condition, get, keepTtl, expireWord, expireArg } = readWords(words, 'SET');
  const expire = keepTtl ? 'keep' : expireWord === undefined ? undefined : absoluteExpiry(expireWord, expireArg!, nowMs, name);
  return { condition, get, expire };
}

/** An expiry argument as an absolute ms time (EX/PX are relative to now). */
export function absoluteExpiry(word: ExpireWord, arg: BinStr, nowMs: number, name: string): number {
  const n = parseInt64(arg);
  if (n === undefined) throw notInteger();
  const seconds = word === 'EX' || word === 'EXAT';
  if (n <= 0n || (seconds && n > INT64_MAX / 1000n)) throw invalidSetExpire(name);
  let ms = seconds ? n * 1000n : n;
  if (word === 'EX' || word === 'PX') ms += BigInt(nowMs);
  // gokv keeps times as JS numbers: beyond 2^53 ms (285,000 years) is refused too.
  if (ms > INT64_MAX || ms > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidSetExpire(name);
  return Number(ms);
}

/** GETEX's one option once parsed: an expiry word and its (unchecked) time, PERSIST, or nothing. */
export type GetexOption = { readonly word: ExpireWord; readonly time: BinStr } | 'persist' | undefined;

/**
 * GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]. The time is left for `absoluteExpiry`: Redis
 * checks it only once the key is found to be a string.
 */
export function parseGetexOptions(words: readonly BinStr[]): GetexOption {
  const { persist, expireWord, expireArg } = readWords(words, 'GETEX');
  if (persist) return 'persist';
  return expireWord === undefined ? undefined : { word: expireWord, time: expireArg! };
}
