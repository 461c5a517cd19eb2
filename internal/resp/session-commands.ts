import { GokvError, notInteger, syntaxError, unknownSubcommand, wrongArity } from '../errors/index.js';
import { asciiUpper, compileGlob, parseInt64 } from '../command/index.js';
import { binToText, type BinStr } from '../store/index.js';
import type { ClientInfo, ClientRegistry } from './clients.js';
import { commandCommand } from './command-command.js';
import { NIL, NULL3, OK_REPLY, array, bulk, bulkArray, bulkText, integer, mapHeader } from './encode.js';
import { REDIS_COMPAT_VERSION, infoText, type InfoSources } from './info.js';

/** What a session command may read and change: its own client, and the node's RESP surface. */
export interface SessionContext extends InfoSources {
  readonly client: ClientInfo;
  readonly clients: ClientRegistry;
  /** Host of the RESP bind address (CONFIG GET bind). */
  readonly host: string;
  readonly maxValueBytes: number;
}

/** A reply, and whether the connection closes once it is written (QUIT). */
export interface SessionReply {
  readonly reply: string | Promise<string>;
  readonly close?: boolean;
}

export type SessionHandler = (args: readonly BinStr[], ctx: SessionContext) => SessionReply;
type Handler = SessionHandler;

const reply = (r: string | Promise<string>): SessionReply => ({ reply: r });

/** Commands the RESP layer answers itself: connection state, introspection, handshakes. */
const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['PING', (args) => {
    if (args.length > 1) throw wrongArity('ping');
    return reply(args.length === 0 ? '+PONG\r\n' : bulk(args[0]!));
  }],
  ['ECHO', (args) => {
    if (args.length !== 1) throw wrongArity('echo');
    return reply(bulk(args[0]!));
  }],
  ['SELECT', (args) => {
    if (args.length !== 1) throw wrongArity('select');
    const db = parseInt64(args[0]!);
    if (db === undefined) throw notInteger();
    if (db !== 0n) throw new GokvError('ERR', 'ERR DB index is out of range');
    return reply(OK_REPLY);
  }],
  ['QUIT', () => ({ reply: OK_REPLY, close: true })],
  // Back to a new connection's state: no name, RESP2, out of a refused MULTI (Redis 6.2's RESET).
  ['RESET', (args, ctx) => {
    if (args.length > 0) throw wrongArity('reset');
    ctx.client.name = '';
    ctx.client.resp = 2;
    ctx.client.inRefusedMulti = false;
    return reply('+RESET\r\n');
  }],
  // No transactions: MULTI is refused and makes the connection refuse what follows up to EXEC
  // or DISCARD (connection.ts), so a client's multi()...exec() applies nothing.
  ['MULTI', (_args, ctx) => {
    ctx.client.inRefusedMulti = true;
    throw new GokvError('ERR', 'ERR MULTI is not supported by gokv: the commands up to EXEC or DISCARD are refused, not run');
  }],
  ['EXEC', () => {
    throw new GokvError('ERR', 'ERR EXEC without MULTI');
  }],
  ['DISCARD', () => {
    throw new GokvError('ERR', 'ERR DISCARD without MULTI');
  }],
  ['AUTH', (args) => {
    if (args.length < 1) throw wrongArity('auth');
    if (args.length > 2) throw syntaxError();
    // As a Redis without passwords: its `default` user is `nopass`, so AUTH default <anything>
    // succeeds (redis://default:pw@host URLs send it); the one-argument form and other users fail.
    if (args.length === 2) {
      if (args[0] === 'default') return reply(OK_REPLY);
      throw new GokvError('ERR', 'WRONGPASS invalid username-password pair or user is disabled.');
    }
    throw new GokvError('ERR', 'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
  }],
  ['TIME', (args, ctx) => {
    if (args.length > 0) throw wrongArity('time');
    const ms = ctx.now();
    return reply(array([bulk(String(Math.floor(ms / 1000))), bulk(String((ms % 1000) * 1000))]));
  }],
  ['HELLO', (args, ctx) => reply(hello(args, ctx))],
  ['CLIENT', (args, ctx) => reply(client(args, ctx))],
  ['CONFIG', (args, ctx) => reply(config(args, ctx))],
  ['COMMAND', (args, ctx) => reply(commandCommand(args, ctx.info.gokvVersion, ctx.client.resp === 3))],
  ['INFO', (args, ctx) => reply(infoText(args, ctx).then(bulkText))],
]);

// Names seen, resolved once: most commands are not session commands, and upper-casing every
// SET or GET cost more than the lookup.
const resolved = new Map<string, Handler | null>();

/** The handler for `name` (any case), or undefined when the command goes to the cluster. */
export function sessionHandler(name: string): Handler | undefined {
  let h = resolved.get(name);
  if (h === undefined) {
    h = HANDLERS.get(asciiUpper(name)) ?? null;
    if (resolved.size < 1024) resolved.set(name, h);
  }
  return h ?? undefined;
}

/** HELLO [protover [AUTH user pass] [SETNAME name]]: RESP2 or RESP3 (nulls and maps as RESP3's). */
function hello(args: readonly BinStr[], ctx: SessionContext): string {
  let proto: 2 | 3 | undefined;
  if (args.length > 0) {
    const version = parseInt64(args[0]!);
    if (version === undefined) throw new GokvError('ERR', 'ERR Protocol version is not an integer or out of range');
    if (version !== 2n && version !== 3n) throw new GokvError('ERR', 'NOPROTO unsupported protocol version');
    proto = version === 3n ? 3 : 2;
  }
  let name: string | undefined;
  for (let i = 1; i < args.length; i++) {
    const opt = asciiUpper(args[i]!);
    if (opt === 'AUTH' && i + 2 < args.length) {
      // No passwords: the default user is the only one, as on a Redis with `nopass`.
      if (args[i + 1] !== 'default') throw new GokvError('ERR', 'WRONGPASS invalid username-password pair or user is disabled.');
      i += 2;
    } else if (opt === 'SETNAME' && i + 1 < args.length) {
      name = validName(args[++i]!);
    } else {
      throw new GokvError('ERR', `ERR Syntax error in HELLO option '${binToText(args[i]!)}'`);
    }
  }
  if (name !== undefined) ctx.client.name = name;
  if (proto !== undefined) ctx.client.resp = proto;
  const pairs = [
    bulk('server'), bulk('gokv'),
    // The Redis release whose replies gokv follows, as INFO's redis_version: libraries read it.
    bulk('version'), bulk(REDIS_COMPAT_VERSION),
    bulk('proto'), integer(ctx.client.resp),
    bulk('id'), integer(ctx.client.id),
    bulk('mode'), bulk('standalone'),
    bulk('role'), bulk('master'),
    bulk('modules'), array([]),
  ];
  return ctx.client.resp === 3 ? `${mapHeader(pairs.length / 2)}${pairs.join('')}` : array(pairs);
}

function client(args: readonly BinStr[], ctx: SessionContext): string {
  if (args.length === 0) throw wrongArity('client');
  const sub = asciiUpper(args[0]!);
  const arity = (n: number) => {
    if (args.length !== n) throw wrongArity(`client|${sub.toLowerCase()}`);
  };
  switch (sub) {
    case 'SETNAME':
      arity(2);
      ctx.client.name = validName(args[1]!);
      return OK_REPLY;
    case 'GETNAME':
      arity(1);
      if (ctx.client.name === '') return ctx.client.resp === 3 ? NULL3 : NIL;
      return bulk(ctx.client.name);
    case 'ID':
      arity(1);
      return integer(ctx.client.id);
    case 'INFO':
      arity(1);
      return bulkText(`${ctx.clients.describe(ctx.client)}\n`);
    case 'LIST':
      return bulkText(listedClients(args, ctx).map((c) => `${ctx.clients.describe(c)}\n`).join(''));
    case 'SETINFO':
      // Client libraries announce themselves (lib-name, lib-ver); nothing to keep here.
      arity(3);
      return OK_REPLY;
    default:
      throw unknownSubcommand('CLIENT', subcommandText(args[0]!));
  }
}

/** Client types Redis 7.0 knows; every gokv connection is `normal`. */
const CLIENT_TYPES = new Set(['normal', 'master', 'slave', 'replica', 'pubsub']);

/** `CLIENT LIST [TYPE type | ID id [id ...]]`, checked as Redis 7.0 checks it. */
function listedClients(args: readonly BinStr[], ctx: SessionContext): ClientInfo[] {
  const all = ctx.clients.all();
  if (args.length === 1) return all;
  const filter = asciiUpper(args[1]!);
  if (filter === 'TYPE' && args.length === 3) {
    const type = args[2]!.toLowerCase();
    if (!CLIENT_TYPES.has(type)) throw new GokvError('ERR', `ERR Unknown client type '${subcommandText(args[2]!)}'`);
    return type === 'normal' ? all : [];
  }
  if (filter === 'ID' && args.length > 2) {
    const ids = new Set<number>();
    for (const arg of args.slice(2)) {
      const id = parseInt64(arg);
      if (id === undefined) throw new GokvError('ERR', 'ERR Invalid client ID');
      ids.add(Number(id));
    }
    return all.filter((c) => ids.has(c.id));
  }
  throw syntaxError();
}

/**
 * Longest client name kept. Redis bounds a name only by its bulk string limit; here 30
 * connections with 15 MB names made one CLIENT LIST reply of 472 MB (a 5.6 s stall), and 36 made
 * one longer than a JavaScript string may be. Libraries name connections in a few dozen bytes.
 */
export const MAX_CLIENT_NAME_BYTES = 1024;

/** Redis accepts names of printable ASCII without spaces. */
function validName(name: BinStr): string {
  if (!/^[\x21-\x7e]*$/.test(name)) {
    throw new GokvError('ERR', 'ERR Client names cannot contain spaces, newlines or special characters.');
  }
  if (name.length > MAX_CLIENT_NAME_BYTES) throw new GokvError('ERR', `ERR Client names are limited to ${MAX_CLIENT_NAME_BYTES} bytes here.`);
  return name;
}

function config(args: readonly BinStr[], ctx: SessionContext): string {
  const sub = asciiUpper(args[0] ?? '');
  if (sub === 'GET') {
    if (args.length < 2) throw wrongArity('config|get');
    const values = configValues(ctx);
    const out: string[] = [];
    const seen = new Set<string>();
    for (const pattern of args.slice(1)) {
      const match = compileGlob(pattern.toLowerCase());
      for (const [k, v] of values) {
        if (!seen.has(k) && match(k)) {
          seen.add(k);
          out.push(k, v);
        }
      }
    }
    // RESP3 answers CONFIG GET with a map, as Redis does.
    return ctx.client.resp === 3 ? `${mapHeader(out.length / 2)}${out.map((x) => bulk(x)).join('')}` : bulkArray(out);
  }
  if (sub === 'SET') throw new GokvError('ERR', 'ERR CONFIG SET is not supported: gokv is configured by config.yml and GOKV_* variables');
  if (sub === 'RESETSTAT') {
    if (args.length !== 1) throw wrongArity('config|resetstat');
    return OK_REPLY;
  }
  if (args.length === 0) throw wrongArity('config');
  throw unknownSubcommand('CONFIG', subcommandText(args[0]!));
}

/** An unknown subcommand as Redis echoes it: its first 128 bytes (here as UTF-8 text). */
const subcommandText = (sub: BinStr): string => binToText(sub.slice(0, 128));

/**
 * Redis's tcp-keepalive default (300 s): the kernel probes an idle client, so one whose host
 * vanished without a FIN or reset is closed instead of holding a limits.max_clients slot.
 */
export const TCP_KEEPALIVE_S = 300;

/** The few settings clients ask for (redis-benchmark reads save and appendonly). */
function configValues(ctx: SessionContext): Array<[string, string]> {
  return [
    ['maxmemory', String(ctx.info.maxMemoryBytes)],
    ['maxmemory-policy', ctx.info.evictionPolicy],
    ['save', ''],
    ['appendonly', 'no'],
    ['databases', '1'],
    ['port', String(ctx.port)],
    ['bind', ctx.host],
    ['timeout', '0'],
    ['tcp-keepalive', String(TCP_KEEPALIVE_S)],
    ['proto-max-bulk-len', String(ctx.maxValueBytes)],
    ['maxclients', String(ctx.maxClients)],
    ['cluster-enabled', 'no'],
  ];
}

