import type { DecodedReply } from '../wire/index.js';

/**
 * redis-cli's rendering of replies for people (cliFormatReplyTTY): `(integer) 2`, `(nil)`,
 * quoted bulk strings, bare status replies, numbered arrays and `1# "f" => "v"` maps with
 * nested indentation.
 *
 * In gokv's MessagePack replies a Buffer (bin) is bytes and a string (str) is text: a status
 * (OK, PONG, hash) at the top level, a field name or key inside a map or array.
 */
export function formatHuman(reply: DecodedReply): string {
  return render(reply, '', true);
}

/** redis-cli's sdscatrepr: printable ASCII as is, C escapes, any other byte as `\xHH`. */
export function quoteBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) out += escapeByte(b);
  return `${out}"`;
}

function escapeByte(b: number): string {
  switch (b) {
    case 0x5c:
      return '\\\\';
    case 0x22:
      return '\\"';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    default:
      return b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
}

type Entry = readonly [DecodedReply] | readonly [DecodedReply, DecodedReply];

function render(reply: DecodedReply, prefix: string, top: boolean): string {
  if (reply === null) return '(nil)\n';
  if (typeof reply === 'number') {
    return Number.isInteger(reply) ? `(integer) ${reply}\n` : `(double) ${reply}\n`;
  }
  if (typeof reply === 'bigint') return `(integer) ${reply}\n`;
  if (typeof reply === 'boolean') return reply ? '(true)\n' : '(false)\n';
  if (typeof reply === 'string') {
    return top ? `${reply}\n` : `${quoteBytes(Buffer.from(reply, 'utf8'))}\n`;
  }
  if (Buffer.isBuffer(reply)) return `${quoteBytes(reply)}\n`;
  if (Array.isArray(reply)) {
    return renderAggregate(reply.map((v): Entry => [v]), ')', '(empty array)', prefix);
  }
  return renderAggregate([...reply].map(([k, v]): Entry => [k, v]), '#', '(empty hash)', prefix);
}

/**
 * Numbers entries with indexes right-aligned to the widest; nested aggregates are indented by
 * that width plus two, and their first line continues the parent's line, as redis-cli does.
 */
function renderAggregate(entries: Entry[], sep: string, empty: string, prefix: string): string {
  if (entries.length === 0) return `${empty}\n`;
  const width = String(entries.length).length;
  const childPrefix = prefix + ' '.repeat(width + 2);
  let out = '';
  entries.forEach((entry, i) => {
    out += `${i === 0 ? '' : prefix}${String(i + 1).padStart(width)}${sep} `;
    const first = render(entry[0], childPrefix, false);
    if (entry.length === 2) {
      out += `${first.slice(0, -1)} => ${render(entry[1], childPrefix, false)}`;
    } else {
      out += first;
    }
  });
  return out;
}
