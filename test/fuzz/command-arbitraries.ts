import fc from 'fast-check';
import { COMMANDS } from '../../internal/command/index.js';

// Random and mutated commands for the fuzz tests: names (real ones in any case, mutated, random),
// keys (a few shared ones so types collide, random bytes, empty), and argument lists built from
// the values commands parse (integers at their edges, durations, keywords, patterns) mixed with
// random bytes, plus valid commands with arguments dropped, repeated or swapped.

export interface FuzzCommand {
  name: string;
  /** Binary string (latin1), as the server hands keys to the router. */
  key: string;
  args: string[];
}

const NAMES = COMMANDS.map((c) => c.name);
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

const randomCase = (s: string) =>
  fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) => [...s].map((ch, i) => (up[i] ? ch.toUpperCase() : ch.toLowerCase())).join(''));

const name: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...NAMES).chain(randomCase) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...NAMES), fc.string({ maxLength: 3 })).map(([n, s]) => n + s) },
  { weight: 1, arbitrary: fc.constantFrom(...NAMES).map((n) => n.slice(0, -1)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12, unit: 'binary' }) },
);

const key: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('k0', 'k1', 'k2', 'k3', 'h', 'l') },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 24 }).map(latin1) },
  { weight: 1, arbitrary: fc.constant('') },
);

const INTEGERS = ['0', '1', '-1', '2', '3', '10', '-10', '100', '-100', '9223372036854775807', '-9223372036854775808',
  '9223372036854775808', '-9223372036854775809', '1e3', '0x10', ' 1', '1 ', '+1', '01', '-0', '', '4294967296', '2147483648'];
const DURATIONS = ['10s', '1m30s', '250ms', '0s', '0', '-1s', '1h', '99999999999h', '1.5s', 's', '10x', '1m-1s'];
const WORDS = ['NX', 'XX', 'GT', 'LT', 'MATCH', 'COUNT', 'TYPE', 'hash', 'list', 'string', '*', 'k*', '[a-', '\\', '?', 'f0', 'f1', 'f2', 'v', '',
  'ENCODING', 'IDLETIME', 'USAGE', 'SAMPLES', 'HELP'];

const arg: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...INTEGERS) },
  { weight: 3, arbitrary: fc.constantFrom(...DURATIONS) },
  { weight: 6, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 4, arbitrary: fc.integer({ min: -1000, max: 1000 }).map(String) },
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 24 }).map(latin1) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((n) => 'x'.repeat(n)) },
);

const args: fc.Arbitrary<string[]> = fc.oneof(
  { weight: 20, arbitrary: fc.array(arg, { maxLength: 8 }) },
  { weight: 1, arbitrary: fc.array(arg, { minLength: 30, maxLength: 90 }) },
);

/** Valid commands, then mutated: an argument dropped, repeated, or two swapped. */
const TEMPLATES: string[][] = [
  ['HSET', 'h', 'f0', 'v', 'f1', 'w'], ['HGET', 'h', 'f0', 'f1'], ['HMGET', 'h', 'f0'], ['HINCRBY', 'h', 'f2', '5'],
  ['HDEL', 'h', 'f0'], ['HGETALL', 'h'], ['RPUSH', 'l', 'a', 'b'], ['LPUSH', 'l', 'c'], ['LPOP', 'l', '2'], ['RPOP', 'l'],
  ['LRANGE', 'l', '0', '-1'], ['LINDEX', 'l', '-1'], ['LSET', 'l', '0', 'z'], ['LTRIM', 'l', '1', '-2'], ['LREM', 'l', '0', 'a'],
  ['EXPIRE', 'h', '10s', 'NX'], ['PEXPIRE', 'l', '50'], ['PEXPIREAT', 'h', '1700000000100'], ['TTL', 'h'], ['PERSIST', 'h'],
  ['SCAN', '0', 'MATCH', 'k*', 'COUNT', '5', 'TYPE', 'hash'], ['DEL', 'h', 'l'], ['EXISTS', 'h', 'l'], ['TYPE', 'l'],
  ['LINSERT', 'l', 'BEFORE', 'a', 'q'], ['LPOS', 'l', 'a', 'RANK', '-1', 'COUNT', '0', 'MAXLEN', '9'], ['UNLINK', 'h', 'l'],
  ['EXPIREAT', 'h', '1700000001', 'GT'], ['EXPIRETIME', 'h'], ['PEXPIRETIME', 'l'],
  ['INCRBYFLOAT', 's', '0x1.8p3'], ['HINCRBYFLOAT', 'h', 'f0', '-1.5e-3'], ['GETEX', 's', 'PX', '500'], ['GETSET', 's', 'v'],
  ['SETRANGE', 's', '7', 'ab'], ['GETRANGE', 's', '-3', '-1'], ['HRANDFIELD', 'h', '-40', 'WITHVALUES'],
  ['OBJECT', 'ENCODING', 'h'], ['OBJECT', 'IDLETIME', 'l'], ['MEMORY', 'USAGE', 's', 'SAMPLES', '5'], ['OBJECT', 'HELP'],
];

const mutated: fc.Arbitrary<FuzzCommand> = fc
  .tuple(fc.constantFrom(...TEMPLATES), fc.nat(), fc.nat(), fc.constantFrom('drop', 'repeat', 'swap', 'none'))
  .map(([t, i, j, how]) => {
    const words = t.slice(1);
    const a = i % words.length;
    const b = j % words.length;
    if (how === 'drop') words.splice(a, 1);
    else if (how === 'repeat') words.splice(a, 0, words[a]!);
    else if (how === 'swap') [words[a], words[b]] = [words[b]!, words[a]!];
    return { name: t[0]!, key: words[0] ?? '', args: words.slice(1) };
  });

export const command: fc.Arbitrary<FuzzCommand> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ name, key, args }) },
  { weight: 1, arbitrary: mutated },
);

/** A sequence of commands run against one fresh store (so state-dependent paths are reached). */
export const commandSequence = (maxLength: number): fc.Arbitrary<FuzzCommand[]> => fc.array(command, { minLength: 1, maxLength, size: 'max' });
