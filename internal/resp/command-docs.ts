import { COMMANDS, type CommandSpec } from '../command/index.js';

/** What COMMAND and COMMAND DOCS say about one command (Redis 7's shapes, trimmed). */
export interface CommandDoc {
  readonly name: string;
  readonly arity: number;
  readonly flags: readonly string[];
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
  readonly group: string;
  readonly summary: string;
  /** Redis's syntax line: `key field value [field value ...]`. */
  readonly syntax: string;
  /** A container command's (OBJECT's), named `object|encoding` as in Redis 7. */
  readonly subcommands?: readonly CommandDoc[];
  /** Absent: O(1) for a command of arity 2, else O(N). */
  readonly complexity?: string;
}

// group, summary, syntax after the name; gokv's extensions are said so.
const DOCS: Readonly<Record<string, readonly [string, string, string]>> = {
  DEL: ['generic', 'Deletes one or more keys.', 'key [key ...]'],
  UNLINK: ['generic', 'Deletes one or more keys (as DEL: gokv frees values through the GC either way).', 'key [key ...]'],
  EXISTS: ['generic', 'Determines whether one or more keys exist.', 'key [key ...]'],
  TYPE: ['generic', 'Determines the type of value stored at a key.', 'key'],
  EXPIRE: ['generic', 'Sets the expiration time of a key in seconds (gokv: or a duration such as 1m30s).', 'key seconds [NX|XX|GT|LT]'],
  PEXPIRE: ['generic', 'Sets the expiration time of a key in milliseconds.', 'key milliseconds [NX|XX|GT|LT]'],
  EXPIREAT: ['generic', 'Sets the expiration time of a key to a Unix timestamp.', 'key unix-time-seconds [NX|XX|GT|LT]'],
  EXPIRETIME: ['generic', 'Returns the expiration time of a key as a Unix timestamp.', 'key'],
  PEXPIRETIME: ['generic', 'Returns the expiration time of a key as a Unix milliseconds timestamp.', 'key'],
  PEXPIREAT: ['generic', 'Sets the expiration time of a key to a Unix milliseconds timestamp.', 'key unix-time-milliseconds [NX|XX|GT|LT]'],
  TTL: ['generic', 'Returns the expiration time in seconds of a key.', 'key'],
  PTTL: ['generic', 'Returns the expiration time in milliseconds of a key.', 'key'],
  PERSIST: ['generic', 'Removes the expiration time of a key.', 'key'],
  SCAN: ['generic', 'Iterates over the key names in the cluster, in hash order.', 'cursor [MATCH pattern] [COUNT count] [TYPE type]'],
  PING: ['connection', 'Returns the server\'s liveliness response.', '[message]'],
  HSET: ['hash', 'Creates or modifies the value of a field in a hash.', 'key field value [field value ...]'],
  HSETNX: ['hash', 'Sets the value of a field in a hash only when the field doesn\'t exist.', 'key field value'],
  HMSET: ['hash', 'Sets the values of multiple fields.', 'key field value [field value ...]'],
  HGET: ['hash', 'Returns the value of a field in a hash (gokv: several fields give a map).', 'key field'],
  HMGET: ['hash', 'Returns the values of all fields in a hash.', 'key field [field ...]'],
  HGETALL: ['hash', 'Returns all fields and values in a hash.', 'key'],
  HDEL: ['hash', 'Deletes one or more fields and their values from a hash.', 'key field [field ...]'],
  HKEYS: ['hash', 'Returns all fields in a hash.', 'key'],
  HVALS: ['hash', 'Returns all values in a hash.', 'key'],
  HLEN: ['hash', 'Returns the number of fields in a hash.', 'key'],
  HEXISTS: ['hash', 'Determines whether a field exists in a hash.', 'key field'],
  HSTRLEN: ['hash', 'Returns the length of the value of a field.', 'key field'],
  HINCRBY: ['hash', 'Increments the integer value of a field in a hash by a number.', 'key field increment'],
  HINCRBYFLOAT: ['hash', 'Increments the floating point value of a field by a number (as Redis: a long double).', 'key field increment'],
  HRANDFIELD: ['hash', 'Returns one or more random fields from a hash (gokv: a negative count is bounded by limits).', 'key [count [WITHVALUES]]'],
  HSCAN: ['hash', 'Iterates over fields and values of a hash (gokv: a hash of up to 512 fields in one page).', 'key cursor [MATCH pattern] [COUNT count] [NOVALUES]'],
  LPUSH: ['list', 'Prepends one or more elements to a list.', 'key element [element ...]'],
  RPUSH: ['list', 'Appends one or more elements to a list.', 'key element [element ...]'],
  LPUSHX: ['list', 'Prepends elements to a list only when the list exists.', 'key element [element ...]'],
  RPUSHX: ['list', 'Appends elements to a list only when the list exists.', 'key element [element ...]'],
  LPOP: ['list', 'Returns and removes the first elements of a list.', 'key [count]'],
  RPOP: ['list', 'Returns and removes the last elements of a list.', 'key [count]'],
  LLEN: ['list', 'Returns the length of a list.', 'key'],
  LRANGE: ['list', 'Returns a range of elements from a list.', 'key start stop'],
  LINDEX: ['list', 'Returns an element from a list by its index.', 'key index'],
  LSET: ['list', 'Sets the value of an element in a list by its index.', 'key index element'],
  LTRIM: ['list', 'Removes elements from both ends of a list.', 'key start stop'],
  LINSERT: ['list', 'Inserts an element before or after another element in a list.', 'key BEFORE|AFTER pivot element'],
  LPOS: ['list', 'Returns the index of matching elements in a list.', 'key element [RANK rank] [COUNT num-matches] [MAXLEN len]'],
  LREM: ['list', 'Removes elements from a list.', 'key count element'],
  GET: ['string', 'Returns the string value of a key.', 'key'],
  SET: ['string', 'Sets the string value of a key, ignoring its type.', 'key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]'],
  SETNX: ['string', 'Sets the string value of a key only when the key doesn\'t exist.', 'key value'],
  SETEX: ['string', 'Sets the string value and expiration time of a key.', 'key seconds value'],
  PSETEX: ['string', 'Sets the string value and expiration time in milliseconds of a key.', 'key milliseconds value'],
  GETSET: ['string', 'Returns the previous string value of a key after setting it to a new value.', 'key value'],
  GETEX: ['string', 'Returns the string value of a key after setting its expiration time.', 'key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]'],
  GETDEL: ['string', 'Returns the string value of a key after deleting the key.', 'key'],
  STRLEN: ['string', 'Returns the length of a string value.', 'key'],
  APPEND: ['string', 'Appends a string to the value of a key.', 'key value'],
  GETRANGE: ['string', 'Returns a substring of the string stored at a key.', 'key start end'],
  SUBSTR: ['string', 'Returns a substring from a string value (GETRANGE\'s old name).', 'key start end'],
  SETRANGE: ['string', 'Overwrites a part of a string value with another by an offset.', 'key offset value'],
  INCR: ['string', 'Increments the integer value of a key by one.', 'key'],
  DECR: ['string', 'Decrements the integer value of a key by one.', 'key'],
  INCRBY: ['string', 'Increments the integer value of a key by a number.', 'key increment'],
  DECRBY: ['string', 'Decrements a number from the integer value of a key.', 'key decrement'],
  INCRBYFLOAT: ['string', 'Increments the floating point value of a key by a number (as Redis: a long double).', 'key increment'],
  MGET: ['string', 'Atomically returns the string values of one or more keys (gokv: per key).', 'key [key ...]'],
  MSET: ['string', 'Sets the string values of one or more keys (gokv: atomic per key).', 'key value [key value ...]'],
  OBJECT: ['generic', 'A container for object introspection commands.', ''],
  'OBJECT|ENCODING': ['generic', 'Returns the internal encoding Redis 7.0 would use for the value of a key (gokv\'s own layout differs).', 'key'],
  'OBJECT|FREQ': ['generic', 'Returns the logarithmic access frequency counter of a key (gokv has no LFU policy: an error, as in Redis).', 'key'],
  'OBJECT|IDLETIME': ['generic', 'Returns the seconds since a key was last used.', 'key'],
  'OBJECT|REFCOUNT': ['generic', 'Returns the reference count of the value of a key, as Redis would.', 'key'],
  'OBJECT|HELP': ['generic', 'Returns helpful text about the different subcommands.', ''],
  MEMORY: ['server', 'A container for memory diagnostics commands.', ''],
  'MEMORY|USAGE': ['server', 'Returns the bytes gokv\'s memory accounting charges a key and its value.', 'key [SAMPLES count]'],
  'MEMORY|HELP': ['server', 'Returns helpful text about the different subcommands.', ''],
};

/** Commands answered by the RESP layer itself, or cluster-wide by the router. */
const RESP_ONLY: readonly CommandDoc[] = [
  doc('ECHO', 2, ['fast'], 'connection', 'Returns the given string.', 'message'),
  doc('SELECT', 2, ['fast'], 'connection', 'Changes the selected database (gokv has database 0 only).', 'index'),
  doc('QUIT', -1, ['fast'], 'connection', 'Closes the connection.', ''),
  doc('RESET', 1, ['fast'], 'connection', 'Resets the connection: no name, RESP2, out of a refused MULTI.', ''),
  doc('HELLO', -1, ['fast'], 'connection', 'Handshakes with the server (RESP2, or RESP3 with HELLO 3).', '[protover [AUTH username password] [SETNAME clientname]]'),
  doc('AUTH', -2, ['fast'], 'connection', 'Authenticates the connection (gokv has no passwords: only `default` with any password).', '[username] password'),
  doc('TIME', 1, ['fast'], 'server', 'Returns the server time.', ''),
  doc('CLIENT', -2, [], 'connection', 'A container for client connection commands.', 'subcommand [argument ...]'),
  doc('CONFIG', -2, [], 'server', 'A container for server configuration commands.', 'subcommand [argument ...]'),
  doc('COMMAND', -1, [], 'server', 'Returns detailed information about all commands.', '[subcommand [argument ...]]'),
  doc('INFO', -1, [], 'server', 'Returns information and statistics about the server.', '[section [section ...]]'),
  doc('KEYS', 2, ['readonly'], 'generic', 'Returns all key names that match a pattern, from every node (in hash order).', 'pattern'),
  doc('DBSIZE', 1, ['readonly', 'fast'], 'server', 'Returns the number of keys in the cluster.', ''),
  doc('FLUSHALL', -1, ['write'], 'server', 'Removes all keys from every node of the cluster.', '[ASYNC|SYNC]'),
  doc('FLUSHDB', -1, ['write'], 'server', 'Removes all keys (the same as FLUSHALL: gokv has one database).', '[ASYNC|SYNC]'),
  // gokv's node commands, answered through the same command path as the table's.
  doc('EXPLAIN', 2, ['readonly'], 'server', 'gokv: where a key lives (leader, replicas) and what it is, never its value.', 'key'),
  doc('SNAPSHOT', 1, ['admin'], 'server', 'gokv: writes this node\'s snapshot file now.', ''),
];

function doc(name: string, arity: number, flags: string[], group: string, summary: string, syntax: string): CommandDoc {
  return { name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group, summary, syntax };
}

function fromSpec(spec: CommandSpec): CommandDoc {
  const [group, summary, syntax] = DOCS[spec.name] ?? ['generic', '', ''];
  if (spec.subcommands !== undefined) return containerDoc(spec, group, summary);
  const f = spec.flags;
  const flags = [f.write ? 'write' : 'readonly', ...(f.denyOom ? ['denyoom'] : [])];
  if (f.keyless || f.scan) return { ...doc(spec.name, spec.arity, flags, group, summary, syntax) };
  const many = f.multiKey || f.multiKeyArray || f.multiKeyPairs;
  return { name: spec.name, arity: spec.arity, flags, firstKey: 1, lastKey: many ? -1 : 1, step: f.multiKeyPairs ? 2 : 1, group, summary, syntax };
}

/** Redis 7's container shape: no keys or flags of its own, each subcommand with its own. */
function containerDoc(spec: CommandSpec, group: string, summary: string): CommandDoc {
  const subs = [...new Set(spec.subcommands!.values())].map((sub): CommandDoc => {
    const name = `${spec.name}|${sub.name}`;
    const [subGroup, subSummary, syntax] = DOCS[name] ?? [group, '', ''];
    const k = sub.keyed ? 1 : 0;
    const flags = sub.keyed ? ['readonly'] : ['loading', 'stale'];
    return { name, arity: sub.arity, flags, firstKey: 2 * k, lastKey: 2 * k, step: k, group: subGroup, summary: subSummary, syntax, complexity: 'O(1)' };
  });
  return { ...doc(spec.name, spec.arity, [], group, summary, ''), subcommands: subs, complexity: 'Depends on subcommand.' };
}

/** A command's doc by upper-case name, or a subcommand's by `OBJECT|ENCODING`. */
export function findDoc(name: string): CommandDoc | undefined {
  const bar = name.indexOf('|');
  if (bar < 0) return COMMAND_DOCS.get(name);
  return COMMAND_DOCS.get(name.slice(0, bar))?.subcommands?.find((d) => d.name === name);
}

/** Every command a RESP client may send, by upper-case name. */
export const COMMAND_DOCS: ReadonlyMap<string, CommandDoc> = new Map(
  [...COMMANDS.map(fromSpec), ...RESP_ONLY].map((d) => [d.name, d] as const),
);

/** The upper-case name of every command a client may send (metrics label these, and no others). */
export const COMMAND_NAMES: readonly string[] = [...COMMAND_DOCS.keys()];
