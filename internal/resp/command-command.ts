import { compileGlob } from '../command/index.js';
import { syntaxError, unknownSubcommand, wrongArity } from '../errors/index.js';
import { COMMAND_DOCS, findDoc, type CommandDoc } from './command-docs.js';
import { EMPTY_ARRAY, NIL, NULL3, array, arrayHeader, bulk, bulkArray, bulkText, integer } from './encode.js';

/**
 * COMMAND, COMMAND COUNT / INFO / LIST / DOCS in Redis 7's RESP2 shapes, enough for redis-cli's
 * help and completion (it reads each entry's name, arity and first key) and for client
 * libraries that look commands up at connect time. An unknown name in COMMAND INFO is a null,
 * RESP3's after HELLO 3.
 */
export function commandCommand(args: readonly string[], gokvVersion: string, resp3 = false): string {
  const sub = (args[0] ?? '').toUpperCase();
  const names = args.slice(1).map((n) => n.toUpperCase());
  if (args.length === 0) return array([...COMMAND_DOCS.values()].map(info));
  switch (sub) {
    case 'COUNT':
      if (args.length !== 1) throw wrongArity('command|count');
      return integer(COMMAND_DOCS.size);
    case 'LIST': {
      // Subcommands too (`object|encoding`), as Redis 7 lists them.
      const all = [...COMMAND_DOCS.values()].flatMap((d) => [d, ...(d.subcommands ?? [])]);
      return bulkArray(all.filter(listFilter(args.slice(1))).map((d) => d.name.toLowerCase()));
    }
    case 'INFO': {
      const docs = names.length === 0 ? [...COMMAND_DOCS.values()] : names.map(findDoc);
      return array(docs.map((d) => (d === undefined ? (resp3 ? NULL3 : NIL) : info(d))));
    }
    case 'DOCS': {
      const docs = names.length === 0 ? [...COMMAND_DOCS.values()] : names.flatMap((n) => findDoc(n) ?? []);
      let out = arrayHeader(docs.length * 2);
      for (const d of docs) out += bulk(d.name.toLowerCase()) + docMap(d, gokvVersion);
      return out;
    }
    default:
      throw unknownSubcommand('COMMAND', args[0]!);
  }
}

/**
 * COMMAND LIST's [FILTERBY MODULE name | ACLCAT category | PATTERN pattern], as Redis 7.0 reads
 * it: anything else is a syntax error. gokv has no modules, and a command's one ACL category is
 * its group (as COMMAND INFO says); a pattern matches the name whatever its case.
 */
function listFilter(args: readonly string[]): (d: CommandDoc) => boolean {
  if (args.length === 0) return () => true;
  if (args.length !== 3 || args[0]!.toUpperCase() !== 'FILTERBY') throw syntaxError();
  const value = args[2]!;
  switch (args[1]!.toUpperCase()) {
    case 'MODULE':
      return () => false;
    case 'ACLCAT':
      return (d) => d.group.toLowerCase() === value.toLowerCase();
    case 'PATTERN': {
      const matches = compileGlob(value.toLowerCase());
      return (d) => matches(d.name.toLowerCase());
    }
    default:
      throw syntaxError();
  }
}

/** [name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands] */
function info(d: CommandDoc): string {
  return (
    arrayHeader(10) +
    bulk(d.name.toLowerCase()) +
    integer(d.arity) +
    array(d.flags.map((f) => `+${f}\r\n`)) +
    integer(d.firstKey) +
    integer(d.lastKey) +
    integer(d.step) +
    bulkArray([`@${d.group}`]) +
    EMPTY_ARRAY +
    EMPTY_ARRAY +
    (d.subcommands === undefined ? EMPTY_ARRAY : array(d.subcommands.map(info)))
  );
}

function docMap(d: CommandDoc, gokvVersion: string): string {
  const subs = d.subcommands;
  return (
    arrayHeader(10) +
    bulk('summary') + bulkText(d.summary) +
    bulk('since') + bulk(`gokv ${gokvVersion}`) +
    bulk('group') + bulk(d.group) +
    bulk('complexity') + bulk(d.complexity ?? (d.arity === 2 ? 'O(1)' : 'O(N)')) +
    (subs === undefined
      ? bulk('arguments') + array(parseSyntax(d.syntax).map(argumentMap))
      : bulk('subcommands') + arrayHeader(subs.length * 2) + subs.map((s) => bulk(s.name.toLowerCase()) + docMap(s, gokvVersion)).join(''))
  );
}

/** One argument of COMMAND DOCS: name, type, and its token, flags and nested arguments. */
interface Arg {
  name: string;
  type: 'key' | 'string' | 'integer' | 'pure-token' | 'oneof' | 'block';
  token?: string;
  flags: string[];
  args: Arg[];
}

function argumentMap(a: Arg): string {
  const items = [bulk('name'), bulk(a.name), bulk('type'), bulk(a.type)];
  if (a.type === 'key') items.push(bulk('key_spec_index'), integer(0));
  if (a.token !== undefined) items.push(bulk('token'), bulk(a.token));
  // Statuses, as Redis sends them: redis-cli asserts on the reply type when it builds its hints.
  if (a.flags.length > 0) items.push(bulk('flags'), array(a.flags.map((f) => `+${f}\r\n`)));
  if (a.args.length > 0) items.push(bulk('arguments'), array(a.args.map(argumentMap)));
  return array(items);
}

/** Redis's syntax line (`key field value [field value ...]`, `[NX|XX]`) as DOCS arguments. */
export function parseSyntax(syntax: string): Arg[] {
  const tokens = syntax.match(/\.\.\.|[[\]|]|[^\s[\]|]+/g) ?? [];
  let i = 0;
  const sequence = (): Arg[] => {
    const out: Arg[] = [];
    while (i < tokens.length && tokens[i] !== ']' && tokens[i] !== '|') {
      const t = tokens[i++]!;
      if (t === '...') {
        const last = out[out.length - 1];
        if (last !== undefined && !last.flags.includes('multiple')) last.flags.push('multiple');
      } else if (t === '[') {
        out.push(group());
      } else {
        out.push(word(t));
      }
    }
    return out;
  };
  const group = (): Arg => {
    const choices: Arg[][] = [sequence()];
    while (tokens[i] === '|') {
      i++;
      choices.push(sequence());
    }
    i++; // ']'
    const flags = ['optional'];
    const first = choices[0] ?? [];
    if (choices.length > 1) {
      const args = choices.map((c) => (c.length === 1 ? c[0]! : block(c)));
      return { name: args.map((a) => a.name).join('-'), type: 'oneof', flags, args };
    }
    // `[field value ...]`: the repeat marker closes the group.
    const repeated = first.length > 0 && first[first.length - 1]!.flags.includes('multiple') && first.length > 1;
    if (repeated) first[first.length - 1]!.flags.splice(first[first.length - 1]!.flags.indexOf('multiple'), 1);
    const arg = first.length === 1 ? first[0]! : block(first);
    arg.flags.push(...flags, ...(repeated ? ['multiple'] : []));
    return arg;
  };
  return sequence();
}

function word(t: string): Arg {
  if (t === 'key') return { name: 'key', type: 'key', flags: [], args: [] };
  if (/^[A-Z]+$/.test(t)) return { name: t.toLowerCase(), type: 'pure-token', token: t, flags: [], args: [] };
  const numeric = /^(count|index|start|stop|end|offset|seconds|milliseconds|increment|decrement|unix-time-.*|cursor|protover)$/.test(t);
  return { name: t, type: numeric ? 'integer' : 'string', flags: [], args: [] };
}

function block(args: Arg[]): Arg {
  const [first] = args;
  if (first?.type === 'pure-token' && args.length === 2) {
    return { name: args[1]!.name, type: args[1]!.type, token: first.token, flags: [], args: [] };
  }
  return { name: args.map((a) => a.name).join('-'), type: 'block', flags: [], args };
}
