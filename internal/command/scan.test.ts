import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../clock/index.js';
import { BUCKET_SPAN, RING_END, type Store } from '../store/index.js';
import { makeStore } from '../store/testing/fixtures.js';
import { ScanReply } from './reply.js';
import type { ScanRange } from './spec.js';
import { exec, replies, reply } from './testing/run.js';

/** Follows cursors from "0" until "0" comes back; returns every key and the page count. */
function scanAll(store: Store, options: string, scanRange?: ScanRange) {
  const keys: string[] = [];
  let cursor = '0';
  let pages = 0;
  do {
    const r = exec(store, `SCAN ${cursor} ${options}`, { scanRange }).reply;
    if (!(r instanceof ScanReply)) throw new Error('not a ScanReply');
    keys.push(...r.keys);
    cursor = r.cursor;
    pages++;
    if (scanRange !== undefined && cursor === String(scanRange.to)) break;
  } while (cursor !== '0' && pages < 100_000);
  return { keys, pages };
}

/** 600 keys spread over the ring (some crowded into few buckets), half hashes, half lists. */
function populate(store: Store): string[] {
  const random = new SeededRandom(5);
  const keys: string[] = [];
  for (let i = 0; i < 600; i++) {
    const pos = i % 4 === 0 ? random.int(3) * BUCKET_SPAN + random.int(BUCKET_SPAN) : random.int(RING_END);
    const key = `@${pos}:${i % 2 === 0 ? 'user' : 'item'}:${i}`;
    exec(store, i % 3 === 0 ? `RPUSH ${key} a` : `HSET ${key} f v`);
    keys.push(key);
  }
  return keys;
}

describe('SCAN', () => {
  it.each([
    ['default count', ''],
    ['bare count form', '1'],
    ['COUNT option', 'COUNT 3'],
    ['large count', '10000'],
  ])('returns every key exactly once across pages: %s', (_name, options) => {
    const { store } = makeStore();
    const keys = populate(store);
    const { keys: seen } = scanAll(store, options);
    expect(seen).toHaveLength(keys.length);
    expect(new Set(seen)).toEqual(new Set(keys));
  });

  it.each([
    ['MATCH', 'COUNT 5 MATCH *:user:*', (k: string, _t: string) => k.includes(':user:')],
    ['TYPE', '2 TYPE list', (_k: string, t: string) => t === 'list'],
    ['TYPE in upper case', 'TYPE HASH', (_k: string, t: string) => t === 'hash'],
    ['MATCH and TYPE', 'MATCH *:item:* TYPE hash COUNT 4', (k: string, t: string) => k.includes(':item:') && t === 'hash'],
    ['a type gokv does not hold', 'TYPE string', () => false],
  ])('filters with %s and still covers each match once', (_name, options, keep) => {
    const { store } = makeStore();
    const keys = populate(store);
    const typeOf = (k: string): string => store.peek(k)!.type;
    const expected = keys.filter((k) => keep(k, typeOf(k)));
    const { keys: seen } = scanAll(store, options);
    expect(seen.sort()).toEqual(expected.sort());
  });

  it('walks only the given scan range and hands back its end as the cursor', () => {
    const { store } = makeStore();
    const keys = populate(store);
    const range = { from: 1000, to: 2 ** 31 };
    const { keys: seen } = scanAll(store, '7', range);
    const inRange = keys.filter((k) => {
      const pos = Number(/^@(\d+)/.exec(k)![1]);
      return pos >= range.from && pos < range.to;
    });
    expect(seen.sort()).toEqual(inRange.sort());
    // A cursor at or past the range's end answers at once with that end.
    expect(exec(store, `SCAN ${2 ** 31}`, { scanRange: range }).reply).toEqual(new ScanReply(String(2 ** 31), []));
  });

  it.each([
    ['cursor "0.0" starts', '0.0', 'ok'],
    ['a position cursor', '65536', 'ok'],
    ['letters', 'abc', 'ERROR ERR invalid cursor'],
    ['negative', '-1', 'ERROR ERR invalid cursor'],
    ['past the ring', String(RING_END), 'ERROR ERR invalid cursor'],
    ['a decimal', '1.5', 'ERROR ERR invalid cursor'],
  ])('cursor: %s', (_name, cursor, expected) => {
    const { store } = makeStore();
    const r = reply(store, `SCAN ${cursor}`);
    expect(r instanceof ScanReply ? 'ok' : r).toBe(expected);
  });

  it.each([
    ['COUNT 0', 'SCAN 0 COUNT 0', 'ERROR ERR syntax error'],
    ['COUNT negative', 'SCAN 0 COUNT -1', 'ERROR ERR syntax error'],
    ['bare count 0', 'SCAN 0 0', 'ERROR ERR syntax error'],
    ['COUNT not an integer', 'SCAN 0 COUNT x', 'ERROR ERR value is not an integer or out of range'],
    ['MATCH without a pattern', 'SCAN 0 MATCH', 'ERROR ERR syntax error'],
    ['an unknown option', 'SCAN 0 FOO bar', 'ERROR ERR syntax error'],
    ['no cursor', 'SCAN', "ERROR ERR wrong number of arguments for 'scan' command"],
  ])('errors: %s', (_name, line, expected) => {
    const { store } = makeStore();
    expect(reply(store, line)).toBe(expected);
  });

  it('answers "0" with no keys on an empty store, and skips expired keys', () => {
    const { store, clock } = makeStore();
    expect(reply(store, 'SCAN 0')).toEqual(new ScanReply('0', []));
    replies(store, ['HSET a f v', 'HSET b f v', 'PEXPIRE a 10']);
    clock.advance(10);
    expect(reply(store, 'SCAN 0 100')).toEqual(new ScanReply('0', ['b']));
  });

  it('ends a page by its keys\' bytes under the reply limit, whatever COUNT asked, and still covers every key', () => {
    // COUNT is a hint: a page of long keys that would not fit one message is cut short instead
    // of failing its command with a LIMIT error.
    const { store } = makeStore();
    const keys = Array.from({ length: 64 }, (_, i) => `@${i * BUCKET_SPAN + 7}:${'k'.repeat(500)}${i}`);
    for (const k of keys) exec(store, `HSET ${k} f v`);
    const limits = { maxArgs: 0, maxValueBytes: 0, maxReplyBytes: 8 * 2000 }; // pages of 2000 key bytes
    const first = exec(store, 'SCAN 0 COUNT 1000', { limits }).reply as ScanReply;
    expect(first.keys).toHaveLength(4);
    expect(first.cursor).toBe(String(4 * BUCKET_SPAN));
    const seen: string[] = [];
    let cursor = '0';
    do {
      const page = exec(store, `SCAN ${cursor} COUNT 1000`, { limits }).reply as ScanReply;
      expect(page.keys.length).toBeLessThanOrEqual(4);
      seen.push(...page.keys);
      cursor = page.cursor;
    } while (cursor !== '0');
    expect(seen.sort()).toEqual([...keys].sort());
    expect((exec(store, 'SCAN 0 COUNT 1000').reply as ScanReply).keys).toHaveLength(64); // no limit: COUNT rules
  });

  it('pages end on bucket boundaries', () => {
    const { store } = makeStore();
    replies(store, ['HSET @1 f v', 'HSET @2 f v', `HSET @${BUCKET_SPAN + 3} f v`]);
    expect(reply(store, 'SCAN 0 1')).toEqual(new ScanReply(String(BUCKET_SPAN), ['@1', '@2']));
    expect(reply(store, `SCAN ${BUCKET_SPAN} 1`)).toEqual(new ScanReply(String(2 * BUCKET_SPAN), [`@${BUCKET_SPAN + 3}`]));
  });
});
