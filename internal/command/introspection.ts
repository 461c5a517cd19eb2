import { GokvError, syntaxError } from '../errors/index.js';
import { asciiUpper, int64Arg } from './parse.js';
import { redisEncoding, redisRefcount, sharesIntegers } from './redis-encoding.js';
import { Simple } from './reply.js';
import { type CommandContext, type CommandResult, type CommandSpec, container, readOnly, type SubcommandSpec } from './spec.js';

// Redis 7.0's help texts, line for line (OBJECT's whole; MEMORY's for the subcommands gokv has).
const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
].map((line) => new Simple(line));

const MEMORY_HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Prints this help.',
].map((line) => new Simple(line));

/** gokv has no LFU policy, so OBJECT FREQ always gets Redis's answer for an LRU one. */
const noLfu = (): GokvError =>
  new GokvError(
    'ERR',
    'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
  );

const sub = (name: string, arity: number, keyed: boolean, run: SubcommandSpec['run']): SubcommandSpec => ({ name, arity, keyed, run });

/**
 * OBJECT and MEMORY: read-only introspection of one key, never replicated and never a use of
 * the key (Redis looks it up with LOOKUP_NOTOUCH). A missing key answers nil, as Redis 7.0 does.
 */
export const INTROSPECTION_COMMANDS: readonly CommandSpec[] = [
  container('OBJECT', [
    sub('ENCODING', 3, true, (ctx) => {
      const e = ctx.store.peek(ctx.key);
      return readOnly(e === undefined ? null : redisEncoding(e));
    }),
    sub('FREQ', 3, true, (ctx) => {
      if (ctx.store.peek(ctx.key) === undefined) return readOnly(null);
      throw noLfu();
    }),
    // Seconds since the key's last use, from the times of the store's LRU stamps (TouchTimes).
    sub('IDLETIME', 3, true, (ctx) => {
      const ms = ctx.store.idleMs(ctx.key);
      return readOnly(ms === undefined ? null : Math.floor(ms / 1000));
    }),
    sub('REFCOUNT', 3, true, (ctx) => {
      const e = ctx.store.peek(ctx.key);
      const { maxMemoryBytes, evictionPolicy } = ctx.store.options;
      return readOnly(e === undefined ? null : redisRefcount(e, sharesIntegers(maxMemoryBytes, evictionPolicy)));
    }),
    sub('HELP', 2, false, () => readOnly(OBJECT_HELP)),
  ]),
  container('MEMORY', [
    sub('USAGE', -3, true, memoryUsage),
    sub('HELP', 2, false, () => readOnly(MEMORY_HELP)),
  ]),
];

/**
 * MEMORY USAGE key [SAMPLES count]: the bytes memory accounting charges the key (store/memory.ts,
 * what counts against memory.max_memory), exact, so SAMPLES is checked as Redis checks it and
 * otherwise unused. Options are checked before the key is looked up, as in Redis.
 */
function memoryUsage(ctx: CommandContext): CommandResult {
  const { args } = ctx;
  for (let i = 0; i < args.length; i++) {
    if (asciiUpper(args[i]!) !== 'SAMPLES' || i + 1 >= args.length) throw syntaxError();
    if (int64Arg(args[++i]!) < 0n) throw syntaxError();
  }
  return readOnly(ctx.store.chargedBytes(ctx.key) ?? null);
}
