import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../command/index.js';
import { commandCommand, parseSyntax } from './command-command.js';
import { COMMAND_DOCS } from './command-docs.js';

/** Decodes one RESP reply into JS values (enough for these replies: arrays, bulks, ints, statuses). */
function decode(resp: string): unknown {
  let i = 0;
  const line = () => {
    const end = resp.indexOf('\r\n', i);
    const text = resp.slice(i, end);
    i = end + 2;
    return text;
  };
  const value = (): unknown => {
    const head = line();
    const rest = head.slice(1);
    switch (head[0]) {
      case '*':
        return Number(rest) < 0 ? null : Array.from({ length: Number(rest) }, value);
      case '$': {
        if (Number(rest) < 0) return null;
        const s = resp.slice(i, i + Number(rest));
        i += Number(rest) + 2;
        return s;
      }
      case ':':
        return Number(rest);
      default:
        return rest;
    }
  };
  const out = value();
  expect(i).toBe(resp.length);
  return out;
}

describe('COMMAND', () => {
  // A review: redis-py's command_list(pattern=..., category=...) got all 91 names from gokv.
  it('filters COMMAND LIST by PATTERN (any case), ACLCAT and MODULE, and refuses anything else as Redis 7.0 does', () => {
    const list = (...args: string[]) => decode(commandCommand(['LIST', ...args], '0.1.0')) as string[];
    expect(list('FILTERBY', 'PATTERN', 'H*').sort()).toEqual(list().filter((n) => n.startsWith('h')).sort());
    expect(list('filterby', 'pattern', 'object*')).toEqual(expect.arrayContaining(['object', 'object|encoding']));
    const hash = list('FILTERBY', 'ACLCAT', 'HASH');
    expect(hash).toContain('hset');
    expect(hash.every((n) => COMMAND_DOCS.get(n.toUpperCase())?.group === 'hash')).toBe(true);
    expect(list('FILTERBY', 'ACLCAT', 'nosuch')).toEqual([]);
    expect(list('FILTERBY', 'MODULE', 'search')).toEqual([]);
    for (const bad of [['bogus'], ['FILTERBY'], ['FILTERBY', 'PATTERN'], ['FILTERBY', 'PATTERN', 'a', 'b'], ['FILTERBY', 'foo', 'x']]) {
      expect(() => commandCommand(['LIST', ...bad], '0.1.0')).toThrow('ERR syntax error');
    }
  });

  it('lists every command in the 10-element shape redis-cli reads (name, arity, flags, first key)', () => {
    const all = decode(commandCommand([], '0.1.0')) as unknown[][];
    expect(all).toHaveLength(COMMAND_DOCS.size);
    for (const entry of all) {
      expect(entry).toHaveLength(10);
      expect(typeof entry[0]).toBe('string');
      expect(typeof entry[1]).toBe('number');
      expect(typeof entry[3]).toBe('number');
    }
    expect(all.find((e) => e[0] === 'mset')!.slice(0, 6)).toEqual(['mset', -3, ['write', 'denyoom'], 1, -1, 2]);
    expect(all.find((e) => e[0] === 'flushall')!.slice(0, 6)).toEqual(['flushall', -1, ['write'], 0, 0, 0]);
  });

  it('answers COUNT, LIST and INFO with nil for an unknown name', () => {
    expect(decode(commandCommand(['COUNT'], '0.1.0'))).toBe(COMMAND_DOCS.size);
    expect(decode(commandCommand(['list'], '0.1.0'))).toContain('hgetall');
    const [get, nope] = decode(commandCommand(['INFO', 'get', 'nope'], '0.1.0')) as unknown[];
    expect((get as unknown[])[0]).toBe('get');
    expect(nope).toBeNull();
  });

  it('renders DOCS for every command as a well-formed reply', () => {
    const docs = decode(commandCommand(['DOCS'], '0.1.0')) as unknown[];
    expect(docs).toHaveLength(COMMAND_DOCS.size * 2);
    const set = docs[docs.indexOf('set') + 1] as unknown[];
    expect(set.slice(0, 6)).toEqual(['summary', 'Sets the string value of a key, ignoring its type.', 'since', 'gokv 0.1.0', 'group', 'string']);
  });

  it('documents every command of the table: group, summary and syntax', () => {
    const undocumented = COMMANDS.filter((c) => COMMAND_DOCS.get(c.name)?.summary === '').map((c) => c.name);
    expect(undocumented).toEqual([]);
    const docs = decode(commandCommand(['DOCS', 'setrange', 'hrandfield'], '0.1.0')) as unknown[];
    const args = (i: number) => (docs[i] as unknown[])[9] as unknown[][];
    expect(args(1).map((a) => [a[1], a[3]])).toEqual([['key', 'key'], ['offset', 'integer'], ['value', 'string']]);
    expect(args(3).map((a) => [a[1], a[3]])).toEqual([['key', 'key'], ['count-withvalues', 'block']]);
  });

  it('describes OBJECT and MEMORY as Redis 7 containers, each subcommand with its own arity and key', () => {
    const [object] = decode(commandCommand(['INFO', 'object'], '0.1.0')) as unknown[][];
    expect(object!.slice(0, 6)).toEqual(['object', -2, [], 0, 0, 0]);
    const subs = object![9] as unknown[][];
    expect(subs.map((e) => e.slice(0, 6))).toEqual([
      ['object|encoding', 3, ['readonly'], 2, 2, 1],
      ['object|freq', 3, ['readonly'], 2, 2, 1],
      ['object|idletime', 3, ['readonly'], 2, 2, 1],
      ['object|refcount', 3, ['readonly'], 2, 2, 1],
      ['object|help', 2, ['loading', 'stale'], 0, 0, 0],
    ]);
    const [usage] = decode(commandCommand(['INFO', 'MEMORY|USAGE'], '0.1.0')) as unknown[][];
    expect(usage!.slice(0, 6)).toEqual(['memory|usage', -3, ['readonly'], 2, 2, 1]);
    const list = decode(commandCommand(['LIST'], '0.1.0')) as string[];
    expect(list).toEqual(expect.arrayContaining(['object', 'object|encoding', 'memory', 'memory|usage', 'memory|help']));
    expect(decode(commandCommand(['COUNT'], '0.1.0'))).toBe(COMMAND_DOCS.size); // containers only, as Redis counts
    const docs = decode(commandCommand(['DOCS', 'memory'], '0.1.0')) as unknown[];
    const memory = docs[1] as unknown[];
    expect(memory.slice(6, 8)).toEqual(['complexity', 'Depends on subcommand.']);
    expect(memory[8]).toBe('subcommands');
    const usageDoc = (memory[9] as unknown[])[(memory[9] as unknown[]).indexOf('memory|usage') + 1] as unknown[];
    expect(usageDoc[9]).toEqual([
      ['name', 'key', 'type', 'key', 'key_spec_index', 0],
      ['name', 'count', 'type', 'integer', 'token', 'SAMPLES', 'flags', ['optional']],
    ]);
  });

  it('refuses an unknown subcommand', () => {
    expect(() => commandCommand(['FOO'], '0.1.0')).toThrow("ERR unknown subcommand 'FOO'. Try COMMAND HELP.");
  });

  it('parses Redis syntax lines into DOCS arguments', () => {
    expect(parseSyntax('key field value [field value ...]')).toEqual([
      { name: 'key', type: 'key', flags: [], args: [] },
      { name: 'field', type: 'string', flags: [], args: [] },
      { name: 'value', type: 'string', flags: [], args: [] },
      {
        name: 'field-value',
        type: 'block',
        flags: ['optional', 'multiple'],
        args: [
          { name: 'field', type: 'string', flags: [], args: [] },
          { name: 'value', type: 'string', flags: [], args: [] },
        ],
      },
    ]);
    const [, , condition, , expiry] = parseSyntax('key value [NX|XX] [GET] [EX seconds|PX milliseconds|KEEPTTL]');
    expect(condition).toMatchObject({ type: 'oneof', flags: ['optional'], args: [{ token: 'NX' }, { token: 'XX' }] });
    expect(expiry).toMatchObject({ type: 'oneof', args: [{ token: 'EX', type: 'integer' }, { token: 'PX' }, { token: 'KEEPTTL' }] });
  });
});
