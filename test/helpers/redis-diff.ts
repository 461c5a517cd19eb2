/**
 * Random command sequences for comparing gokv's RESP replies with redis-server's
 * (test/redis-differential.test.ts). Only commands and forms both accept with the same meaning
 * are drawn: gokv's extensions (HGET of several fields, durations like `10s`, SCAN cursors,
 * INFO) and the empty key, which gokv refuses, are left out. Arguments are drawn from small
 * pools so keys collide across types and numbers hit their edges.
 */

export type Rand = () => number;

/** mulberry32: a small seeded generator, so a failing sequence replays from its seed. */
export function seededRandom(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Binary strings, one char per byte: 'k\xc3\xa9' is "ké" and '\xe2\x82\xac' "€" in UTF-8 (three keys
// of five, so some live on other nodes of a cluster); '\xff\x00' is not UTF-8.
const KEYS = ['k1', 'k2', 'k\xc3\xa9', '\xc3\xa91', '\xe2\x82\xac'];
const FIELDS = ['f1', 'f2', 'f3', 'f\xc3\xa9'];
const VALUES = ['a', 'b', 'c', '', '0', '1', '-1', '7', '10', 'abc', 'x y', '\u00ff\u0000', '\xc3\xa9t\xc3\xa9', '9223372036854775807', '-9223372036854775808'];
const ODD_NUMBERS = ['9223372036854775807', '-9223372036854775808', '9223372036854775808', '-9223372036854775809', '1.5', ' 1', '01', '+1', '-0', '', 'abc', '1e3', '0x10'];
const SMALL_INTS = ['-100', '-5', '-3', '-2', '-1', '0', '1', '2', '3', '5', '100'];

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const key = (r: Rand) => pick(r, KEYS);
const field = (r: Rand) => pick(r, FIELDS);
const value = (r: Rand) => pick(r, VALUES);
/** An integer argument; one time in eight something that is not quite one. */
const int = (r: Rand) => (r() < 0.125 ? pick(r, ODD_NUMBERS) : pick(r, SMALL_INTS));
/** 1..n repetitions of `gen`, flattened. */
const some = (r: Rand, n: number, gen: () => string[]): string[] => Array.from({ length: 1 + Math.floor(r() * n) }, gen).flat();
/**
 * A TTL either long enough that no reply depends on when each server ran the command, or one
 * that deletes at once (0, negative) or is refused: never a few ms or seconds, which would expire
 * mid-sequence at a different moment on each server. Live TTLs are all distinct (whole seconds,
 * and millisecond ones half a second off), so EXPIRE GT / LT never compares two deadlines a
 * millisecond apart, whose order depends on the time between the commands.
 */
let ttlDraws = 0;
const ttl = (r: Rand, live: () => string) => {
  const x = r();
  if (x < 0.8) return live();
  if (x < 0.9) return pick(r, ['0', '-1', '-100']);
  return pick(r, ODD_NUMBERS);
};
const liveSeconds = (r: Rand) => pick(r, [100, 1000, 5000]) + (ttlDraws++ % 1000);
const seconds = (r: Rand) => ttl(r, () => String(liveSeconds(r)));
const millis = (r: Rand) => ttl(r, () => String(liveSeconds(r) * 1000 + 500));
/**
 * A float argument: one from a list of edges (hex, exponents, signs, inf, nan, junk), or a random
 * decimal of up to 22 digits with a random point and exponent, so sums need the 64-bit rounding.
 */
const float = (r: Rand, huge = true): string => {
  if (r() < 0.4) {
    return pick(r, ['0.1', '0.2', '-0.3', '1e3', '1.5e-3', '3.0000000000000000000001', '0x10', '0x1p-3', '0X.8', '.5', '1.', '+1', '-0',
      'inf', '-Infinity', 'nan', 'abc', '1e', '', '1e-30', '9223372036854775807', '7', '-7.25', ...(huge ? ['1e308', '1e4000'] : [])]);
  }
  const digits = Array.from({ length: 1 + Math.floor(r() * 22) }, () => String(Math.floor(r() * 10))).join('');
  const point = Math.floor(r() * (digits.length + 1));
  const exp = r() < 0.3 ? `e${Math.floor(r() * 60) - 30}` : '';
  return `${r() < 0.3 ? '-' : ''}${digits.slice(0, point)}.${digits.slice(point)}${exp}`;
};
const maybe = (r: Rand, p: number, args: () => string[]): string[] => (r() < p ? args() : []);

const GENERATORS: Record<string, (r: Rand) => string[]> = {
  // Keys and expiry.
  DEL: (r) => some(r, 3, () => [key(r)]),
  UNLINK: (r) => some(r, 3, () => [key(r)]),
  EXISTS: (r) => some(r, 3, () => [key(r)]),
  TYPE: (r) => [key(r)],
  EXPIRE: (r) => [key(r), seconds(r), ...maybe(r, 0.3, () => [pick(r, ['NX', 'XX', 'GT', 'LT', 'nx', 'BAD'])])],
  PEXPIRE: (r) => [key(r), millis(r), ...maybe(r, 0.2, () => [pick(r, ['NX', 'XX', 'GT', 'LT'])])],
  // Stamps far in the future or long past (these delete at once).
  PEXPIREAT: (r) => [key(r), pick(r, ['4102444800000', '4102444900000', '1000', ...SMALL_INTS])],
  EXPIREAT: (r) => [key(r), pick(r, ['4102444800', '4102444900', '1000', '9223372036854775807', ...SMALL_INTS]), ...maybe(r, 0.2, () => [pick(r, ['NX', 'XX', 'GT', 'LT'])])],
  TTL: (r) => [key(r)],
  EXPIRETIME: (r) => [key(r)],
  PEXPIRETIME: (r) => [key(r)],
  PTTL: (r) => [key(r)],
  PERSIST: (r) => [key(r)],
  DBSIZE: () => [],
  KEYS: (r) => [pick(r, ['*', 'k*', 'k[12]', '?2', 'x*', 'k\\*', 'k[^1]', 'K*', '*\xa9'])],
  // Strings.
  SET: (r) => [key(r), value(r), ...setOptions(r)],
  GET: (r) => [key(r)],
  GETDEL: (r) => [key(r)],
  GETSET: (r) => [key(r), value(r)],
  GETEX: (r) => [key(r), ...getexOptions(r)],
  SETNX: (r) => [key(r), value(r)],
  SETEX: (r) => [key(r), seconds(r), value(r)],
  PSETEX: (r) => [key(r), millis(r), value(r)],
  APPEND: (r) => [key(r), value(r)],
  STRLEN: (r) => [key(r)],
  INCR: (r) => [key(r)],
  DECR: (r) => [key(r)],
  INCRBY: (r) => [key(r), int(r)],
  DECRBY: (r) => [key(r), int(r)],
  INCRBYFLOAT: (r) => [key(r), float(r)],
  GETRANGE: (r) => [key(r), index(r), index(r)],
  SUBSTR: (r) => [key(r), index(r), index(r)],
  SETRANGE: (r) => [key(r), offset(r), value(r)],
  MGET: (r) => some(r, 3, () => [key(r)]),
  MSET: (r) => some(r, 2, () => [key(r), value(r)]),
  // Hashes (HGET with one field: several is gokv's own form).
  HSET: (r) => [key(r), ...some(r, 3, () => [field(r), value(r)])],
  HMSET: (r) => [key(r), ...some(r, 2, () => [field(r), value(r)])],
  HSETNX: (r) => [key(r), field(r), value(r)],
  HGET: (r) => [key(r), field(r)],
  HMGET: (r) => [key(r), ...some(r, 3, () => [field(r)])],
  HGETALL: (r) => [key(r)],
  HKEYS: (r) => [key(r)],
  HVALS: (r) => [key(r)],
  HLEN: (r) => [key(r)],
  HEXISTS: (r) => [key(r), field(r)],
  HSTRLEN: (r) => [key(r), field(r)],
  HDEL: (r) => [key(r), ...some(r, 3, () => [field(r)])],
  HINCRBY: (r) => [key(r), field(r), int(r)],
  // No huge increments in a hash: a value over 64 bytes turns Redis's listpack into a hashtable,
  // whose field order (HGETALL, HKEYS) is not insertion order.
  HINCRBYFLOAT: (r) => [key(r), field(r), float(r, false)],
  HRANDFIELD: (r) => [key(r), ...hrandfieldCount(r)],
  // Lists.
  LPUSH: (r) => [key(r), ...some(r, 3, () => [value(r)])],
  RPUSH: (r) => [key(r), ...some(r, 3, () => [value(r)])],
  LPUSHX: (r) => [key(r), ...some(r, 2, () => [value(r)])],
  RPUSHX: (r) => [key(r), ...some(r, 2, () => [value(r)])],
  LPOP: (r) => [key(r), ...maybe(r, 0.4, () => [int(r)])],
  RPOP: (r) => [key(r), ...maybe(r, 0.4, () => [int(r)])],
  LLEN: (r) => [key(r)],
  LRANGE: (r) => [key(r), int(r), int(r)],
  LINDEX: (r) => [key(r), int(r)],
  LSET: (r) => [key(r), int(r), value(r)],
  LTRIM: (r) => [key(r), int(r), int(r)],
  LREM: (r) => [key(r), int(r), value(r)],
  LINSERT: (r) => [key(r), pick(r, ['BEFORE', 'AFTER', 'after', 'MIDDLE']), value(r), value(r)],
  LPOS: (r) => [key(r), value(r), ...lposOptions(r)],
  // Connection.
  PING: (r) => maybe(r, 0.3, () => [value(r)]),
  ECHO: (r) => [value(r)],
};

/** A GETRANGE index: small ones around a short string's ends, sometimes int64's edges or junk. */
function index(r: Rand): string {
  return r() < 0.1 ? pick(r, ['-9223372036854775807', '4611686018427387904', '-4611686018427387904']) : int(r);
}

/**
 * A SETRANGE offset: inside or a little past a short value (zero-padding), negative, not an
 * integer, or at or past 512 MB (refused by both, unless the value is empty). Never between
 * limits.max_value_bytes and 512 MB, where gokv refuses what Redis allocates.
 */
function offset(r: Rand): string {
  const x = r();
  if (x < 0.75) return String(Math.floor(r() * 12));
  if (x < 0.85) return pick(r, ['-1', '-100', '9223372036854775807']);
  if (x < 0.93) return pick(r, ['536870912', '536870913', '1073741824']);
  return pick(r, ODD_NUMBERS);
}

/**
 * HRANDFIELD's forms whose reply is not left to chance: counts of 0 or past any hash (the whole
 * hash, in order), and every refusal (bad counts, a bad word, WITHVALUES' range). Without a
 * count, or with a smaller one, the fields are random: comparable() hides a single field's name.
 */
function hrandfieldCount(r: Rand): string[] {
  const x = r();
  if (x < 0.4) return [pick(r, ['0', '100', '9223372036854775807', '-9223372036854775808'])];
  // No negative count but int64's minimum (refused): with a large one Redis 7.0 builds the reply
  // until memory runs out, and a dropped WITHVALUES (randomCommand's mangling) would let it.
  if (x < 0.7) return [pick(r, ['0', '100', '4611686018427387903', '4611686018427387904']), pick(r, ['WITHVALUES', 'withvalues'])];
  if (x < 0.85) return [pick(r, ODD_NUMBERS)];
  return [pick(r, ['0', '100', 'x']), pick(r, ['BAD', 'WITHVALUES']), ...maybe(r, 0.5, () => ['x'])];
}

function lposOptions(r: Rand): string[] {
  const out: string[] = [];
  for (let n = Math.floor(r() * 4); n > 0; n--) {
    const option = pick(r, ['RANK', 'COUNT', 'MAXLEN', 'rank', 'BAD']);
    out.push(option);
    if (r() < 0.95) out.push(int(r));
  }
  return out;
}

function getexOptions(r: Rand): string[] {
  const x = r();
  if (x < 0.3) return [];
  if (x < 0.45) return ['EX', seconds(r)];
  if (x < 0.6) return ['PX', millis(r)];
  if (x < 0.65) return ['EXAT', pick(r, ['4102444800', '1000'])];
  if (x < 0.7) return ['PXAT', pick(r, ['4102444800000', '1000'])];
  if (x < 0.8) return [pick(r, ['PERSIST', 'persist'])];
  // Malformed: a word GETEX refuses, a missing time, or two words. Times here are 100 s either way.
  return [pick(r, ['EX', 'PX', 'PERSIST', 'KEEPTTL', 'GET']), ...maybe(r, 0.5, () => [pick(r, ['EX', 'PERSIST', '100000'])])];
}

function setOptions(r: Rand): string[] {
  const out: string[] = [];
  if (r() < 0.3) out.push(pick(r, ['NX', 'XX', 'nx']));
  if (r() < 0.2) out.push('GET');
  const ttl = r();
  if (ttl < 0.15) out.push('EX', seconds(r));
  else if (ttl < 0.25) out.push('PX', millis(r));
  else if (ttl < 0.3) out.push('KEEPTTL');
  else if (ttl < 0.33) out.push('PXAT', '4102444800000');
  else if (ttl < 0.35) out.push(pick(r, ['EX', 'PX', 'BAD']));
  return out;
}

const NAMES = Object.keys(GENERATORS);

const mixedCase = (r: Rand, name: string) => [...name].map((c) => (r() < 0.5 ? c.toLowerCase() : c)).join('');

/** Where gokv takes more arguments than Redis on purpose: HGET of several fields. */
const EXTENSIBLE = new Set(['HGET']);

/**
 * One random command, name first. One time in 25 an argument is dropped or added at the end,
 * to compare arity and syntax errors as well. An added one is printable and never empty: the
 * empty key is refused by gokv on purpose, and Redis echoes binary options in its errors as C
 * strings (cut at the first NUL).
 */
export function randomCommand(r: Rand): string[] {
  const name = pick(r, NAMES);
  const args = GENERATORS[name]!(r);
  const mangle = r();
  if (mangle < 0.02 && args.length > 0) args.pop();
  else if (mangle < 0.04 && !EXTENSIBLE.has(name)) args.push(pick(r, ['a', '7', 'k2', 'NX', 'abc']));
  else if (mangle < 0.05) args.length = 0;
  else if (mangle < 0.055) return [pick(r, ['FOO', 'hsetx', 'LPOPP']), ...args];
  const spelling = r();
  const spelled = spelling < 0.1 ? name.toLowerCase() : spelling < 0.12 ? mixedCase(r, name) : name;
  return [spelled, ...args];
}

const TIMED = new Set(['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']);

/**
 * A reply as compared: TTL, PTTL, EXPIRETIME and PEXPIRETIME of a live timeout become
 * `:<positive>`, since the exact number depends on when each server ran the command that set it;
 * HRANDFIELD's one random field becomes `$<field>`. An unknown command's error is compared
 * without Redis 7's ", with args beginning with: ..." tail: gokv words it as DESIGN.md section 4
 * does, the same over gRPC and RESP.
 */
export function comparable(command: readonly string[], reply: string): string {
  const name = command[0]!.toUpperCase();
  if (TIMED.has(name) && /^:[1-9]\d*\r\n$/.test(reply)) return ':<positive>\r\n';
  // HRANDFIELD key (a dropped count): one random field.
  if (name === 'HRANDFIELD' && reply.startsWith('$') && reply !== '$-1\r\n') return '$<field>\r\n';
  const unknown = /^(-ERR unknown command '[^']*'), with args beginning with: .*\r\n$/s.exec(reply);
  if (unknown) return `${unknown[1]}\r\n`;
  if (name === 'KEYS' && reply.startsWith('*')) return sortedArray(reply);
  return reply;
}

/** An array of bulk strings with its items sorted: KEYS answers in no defined order. */
function sortedArray(reply: string): string {
  const items: string[] = [];
  let at = reply.indexOf('\r\n') + 2;
  while (at < reply.length) {
    const eol = reply.indexOf('\r\n', at);
    const len = Number(reply.slice(at + 1, eol));
    items.push(reply.slice(at, eol + 2 + len + 2));
    at = eol + 2 + len + 2;
  }
  return reply.slice(0, reply.indexOf('\r\n') + 2) + items.sort().join('');
}
