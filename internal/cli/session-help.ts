/**
 * What `help` prints at the prompt: every command in brief and the quoting rules. A test keeps it
 * naming every command of the command table.
 */
export const SESSION_HELP = `gokv commands (names are case-insensitive):
  keys     DEL/UNLINK key [key ...] | EXISTS key [key ...] | TYPE key | PERSIST key
           EXPIRE/PEXPIRE key ttl [NX|XX|GT|LT] | EXPIREAT key unix-s | PEXPIREAT key unix-ms
           TTL key | PTTL key | EXPIRETIME key | PEXPIRETIME key | PING [msg]
           SCAN cursor [MATCH pattern] [COUNT n] [TYPE hash|list|string] | KEYS pattern
  strings  GET key | SET key v [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] | SETNX key v
           SETEX key s v | PSETEX key ms v | GETSET key v | GETDEL key
           GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST] | STRLEN key | APPEND key v
           GETRANGE/SUBSTR key start end | SETRANGE key offset v
           INCR/DECR key | INCRBY/DECRBY key n | INCRBYFLOAT key x | MGET key [key ...]
           MSET key v [key v ...]
  hashes   HSET/HMSET key f v [f v ...] | HSETNX key f v | HGET key f [f ...] | HMGET key f [f ...]
           HGETALL key | HDEL key f [f ...] | HKEYS key | HVALS key | HLEN key | HEXISTS key f
           HSTRLEN key f | HINCRBY key f n | HINCRBYFLOAT key f x | HRANDFIELD key [n [WITHVALUES]]
           HSCAN key cursor [MATCH pattern] [COUNT n] [NOVALUES]
  lists    LPUSH/RPUSH key v [v ...] | LPUSHX/RPUSHX key v [v ...] | LPOP/RPOP key [count]
           LLEN key | LRANGE key start stop | LINDEX key i | LSET key i v | LTRIM key start stop
           LREM key count v | LINSERT key BEFORE|AFTER pivot v
           LPOS key v [RANK r] [COUNT n] [MAXLEN n]
  inspect  OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT key | OBJECT HELP
           MEMORY USAGE key [SAMPLES n] | MEMORY HELP
  cluster  DBSIZE | FLUSHALL / FLUSHDB | EXPLAIN key (where a key lives, never its value)
  admin    SNAPSHOT (writes the answering node's snapshot file now)
  ttl is whole seconds or a duration with a unit (10s, 1m30s, 250ms).
quoting: "double quotes" understand \\n \\r \\t \\b \\a \\\\ \\" and \\xHH (a byte); 'single quotes' only \\'.
help shows this; quit or exit leaves.
`;
