import { GokvError, syntaxError } from '../errors/index.js';
import { type Entry, RING_END } from '../store/index.js';
import { compileGlob } from './glob.js';
import { asciiUpper, intArg, parseInt64 } from './parse.js';
import { type BinStr, ScanReply } from './reply.js';
import { type CommandContext, type CommandSpec, command, readOnly } from './spec.js';

const DEFAULT_COUNT = 10;
const TYPE_NAMES = new Map([
  ['HASH', 'hash'],
  ['LIST', 'list'],
  ['STRING', 'string'],
]);
const CURSOR = /^[0-9]{1,10}$/;
const HSCAN_CURSOR = /^-?[0-9]{1,20}$/;
const abs = (n: bigint): bigint => (n < 0n ? -n : n);

interface ScanArgs {
  count: number;
  match?: (key: BinStr) => boolean;
  type?: string;
}

/**
 * SCAN cursor [count] [MATCH pattern] [COUNT n] [TYPE hash|list|string]. The cursor is a ring position
 * in decimal ("0" starts, and "0" back means done), so a scan walks keys in hash order and
 * survives the keyspace changing between pages; each page ends on a bucket boundary.
 */
export const SCAN_COMMANDS: readonly CommandSpec[] = [
  command('SCAN', -2, ['scan'], (ctx) => {
    const from = parseCursor(ctx.key);
    const opts = parseScanArgs(ctx.args);
    const range = ctx.scanRange;
    const start = Math.max(from, range.from);
    const to = Math.min(range.to, RING_END);
    if (start >= to) return readOnly(new ScanReply(cursorOf(to), []));
    const { match, type } = opts;
    const filter =
      match === undefined && type === undefined
        ? undefined
        : (key: BinStr, e: Entry): boolean =>
            (type === undefined || e.type === type) && (match === undefined || match(key));
    const page = ctx.store.scan(start, to, opts.count, filter);
    return readOnly(new ScanReply(cursorOf(page.next), page.keys));
  }),
];

/**
 * HSCAN key cursor [MATCH pattern] [COUNT n] [NOVALUES]. The whole hash comes back in one page
 * with cursor "0", whatever the cursor given: Redis answers a small hash the same way (COUNT is
 * a hint). A resumable cursor over a Map that changes between calls would need a stable order
 * per hash (Redis's reverse-binary walk of its table); one page costs what HGETALL costs. The
 * cursor is checked as Redis checks it (strtoul: a sign is accepted, 2^64 and above is not).
 */
export const HSCAN_COMMANDS: readonly CommandSpec[] = [
  command('HSCAN', -3, [], (ctx) => {
    const [cursor, ...rest] = ctx.args as [BinStr, ...BinStr[]];
    if (!HSCAN_CURSOR.test(cursor) || abs(BigInt(cursor)) >= 2n ** 64n) throw new GokvError('ERR', 'ERR invalid cursor');
    let match: ((field: BinStr) => boolean) | undefined;
    let values = true;
    for (let i = 0; i < rest.length; i++) {
      const option = asciiUpper(rest[i]!);
      if (option === 'NOVALUES') values = false;
      else if (option === 'MATCH' && i + 1 < rest.length) match = compileGlob(rest[++i]!);
      else if (option === 'COUNT' && i + 1 < rest.length) positiveCount(rest[++i]!);
      else throw syntaxError();
    }
    const page: BinStr[] = [];
    const h = ctx.store.getHash(ctx.key)?.value;
    if (h !== undefined) {
      for (const [field, value] of h.entries()) {
        if (match !== undefined && !match(field)) continue;
        page.push(field);
        if (values) page.push(value);
      }
    }
    return readOnly(['0', page]);
  }),
];

/** SCAN's count hint from its arguments (the default when they are malformed: the page reports that). */
export function scanCountHint(args: readonly BinStr[]): number {
  try {
    return parseScanArgs(args).count;
  } catch {
    return DEFAULT_COUNT;
  }
}

/** The position to resume from; the end of the ring is reported as "0" (done). */
function cursorOf(pos: number): string {
  return pos >= RING_END ? '0' : String(pos);
}

function parseCursor(text: BinStr): number {
  if (text === '0.0') return 0; // the Go gokv's start cursor
  const pos = CURSOR.test(text) ? Number(text) : RING_END;
  if (pos >= RING_END) throw new GokvError('ERR', 'ERR invalid cursor');
  return pos;
}

function parseScanArgs(args: readonly BinStr[]): ScanArgs {
  const out: ScanArgs = { count: DEFAULT_COUNT };
  let i = 0;
  // gokv's short form: a bare count right after the cursor.
  if (args.length > 0 && parseInt64(args[0]!) !== undefined) {
    out.count = positiveCount(args[0]!);
    i = 1;
  }
  for (; i < args.length; i += 2) {
    const value = args[i + 1];
    if (value === undefined) throw syntaxError();
    switch (asciiUpper(args[i]!)) {
      case 'COUNT':
        out.count = positiveCount(value);
        break;
      case 'MATCH':
        out.match = compileGlob(value);
        break;
      case 'TYPE':
        // Other Redis types (set, zset, ...) are valid names that match nothing here.
        out.type = TYPE_NAMES.get(asciiUpper(value)) ?? 'none';
        break;
      default:
        throw syntaxError();
    }
  }
  return out;
}

/** COUNT: not an integer is Redis's integer error; below 1 is its syntax error. */
function positiveCount(text: BinStr): number {
  const n = intArg(text);
  if (n < 1) throw syntaxError();
  return Math.min(n, Number.MAX_SAFE_INTEGER);
}
