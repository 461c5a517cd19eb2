import { GokvError, syntaxError } from '../errors/index.js';
import { DEFAULT_HASH_SCAN_LIMITS, type Entry, RING_END } from '../store/index.js';
import { compileGlob } from './glob.js';
import { asciiUpper, intArg, parseInt64 } from './parse.js';
import { type BinStr, ScanReply } from './reply.js';
import { type CommandSpec, command, readOnly } from './spec.js';

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
    const page = ctx.store.scan(start, to, opts.count, filter, scanPageKeyBytes(ctx.maxReplyBytes));
    return readOnly(new ScanReply(cursorOf(page.next), page.keys));
  }),
];

/**
 * The key bytes after which a SCAN page ends (at its bucket's end), whatever COUNT asked: COUNT
 * is a hint, and a page must fit one message with its framing, and the entry node's gathering
 * of pages (router.ts) adds a few of them up. 0 = no bound.
 */
export const scanPageKeyBytes = (maxReplyBytes: number): number => Math.floor(maxReplyBytes / 8);

/**
 * HSCAN key cursor [MATCH pattern] [COUNT n] [NOVALUES]. A hash of up to 512 fields comes back
 * whole with cursor "0", whatever the cursor, as Redis answers a hash in its small encoding. A
 * larger one is walked COUNT fields a page (MATCH filters each page afterwards, so a page may be
 * short or empty, as in Redis) from a scan this node keeps open between calls (store's
 * HashScans): every field present for the whole scan comes back exactly once, and a page asked
 * again with its cursor comes again (a retry). A cursor this node
 * does not know (idle too long, or opened on the key's previous leader) is refused with a message
 * to start again, never silently restarted. The cursor is checked as Redis checks it (strtoul:
 * a sign is accepted, 2^64 and above is not).
 */
export const HSCAN_COMMANDS: readonly CommandSpec[] = [
  command('HSCAN', -3, [], (ctx) => {
    const [text, ...rest] = ctx.args as [BinStr, ...BinStr[]];
    if (!HSCAN_CURSOR.test(text)) throw invalidCursor();
    const number = BigInt(text);
    if (abs(number) >= 2n ** 64n) throw invalidCursor();
    // As Redis 7.0: a missing key is an empty scan, and the wrong type an error, before the
    // options are read.
    if (ctx.store.getHash(ctx.key) === undefined) return readOnly(['0', []]);
    let match: ((field: BinStr) => boolean) | undefined;
    let values = true;
    let count = DEFAULT_COUNT;
    for (let i = 0; i < rest.length; i++) {
      const option = asciiUpper(rest[i]!);
      if (option === 'NOVALUES') values = false;
      else if (option === 'MATCH' && i + 1 < rest.length) match = compileGlob(rest[++i]!);
      else if (option === 'COUNT' && i + 1 < rest.length) count = positiveCount(rest[++i]!);
      else throw syntaxError();
    }
    // strtoul wraps a negative cursor; no open scan has one, so "-1" stays as given.
    const cursor = number < 0n ? text : number.toString();
    const page = ctx.store.scanHash(ctx.key, cursor, count);
    if (page === undefined) {
      throw new GokvError('ERR', `ERR HSCAN cursor ${cursor} is not open on this node (scans are dropped after ${HASH_SCAN_IDLE} idle or past ${DEFAULT_HASH_SCAN_LIMITS.maxOpen} open, and live on the key's leader only); start again from 0`);
    }
    const out: BinStr[] = [];
    const { pairs } = page;
    for (let i = 0; i < pairs.length; i += 2) {
      if (match !== undefined && !match(pairs[i]!)) continue;
      out.push(pairs[i]!);
      if (values) out.push(pairs[i + 1]!);
    }
    return readOnly([page.next, out]);
  }),
];

const HASH_SCAN_IDLE = `${DEFAULT_HASH_SCAN_LIMITS.idleMs / 60_000} minutes`;
const invalidCursor = (): GokvError => new GokvError('ERR', 'ERR invalid cursor');

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
