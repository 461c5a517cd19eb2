/** What `help` prints at the prompt: gokv's commands in brief and the quoting rules. */
export const SESSION_HELP = `gokv commands (names are case-insensitive):
  general  DEL key | EXISTS key | TYPE key | EXPIRE key ttl | TTL key | PTTL key | PERSIST key
           EXPIREAT key unix-seconds | PEXPIREAT key unix-ms | EXPIRETIME key | UNLINK key
           SCAN cursor [MATCH pattern] [COUNT n] [TYPE hash|list] | KEYS pattern | PING
  hash     HSET key f v [f v ...] | HGET key f [f ...] | HMGET key f [f ...] | HGETALL key
           HDEL key f [f ...] | HKEYS key | HVALS key | HLEN key | HEXISTS key f | HINCRBY key f n
           HSCAN key cursor [MATCH pattern] [COUNT n] [NOVALUES]
  list     LPUSH/RPUSH key v [v ...] | LPOP/RPOP key [count] | LLEN key | LRANGE key start stop
           LINDEX key i | LSET key i v | LTRIM key start stop | LREM key count v
           LINSERT key BEFORE|AFTER pivot v | LPOS key v [RANK r] [COUNT n] [MAXLEN n]
  admin    SNAPSHOT (writes the answering node's snapshot file now)
  ttl is whole seconds or a duration with a unit (10s, 1m30s, 250ms).
quoting: "double quotes" understand \\n \\r \\t \\b \\a \\\\ \\" and \\xHH (a byte); 'single quotes' only \\'.
help shows this; quit or exit leaves.
`;
