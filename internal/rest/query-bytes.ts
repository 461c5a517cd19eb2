/**
 * A query parameter's exact bytes. Express decodes the query as text: an escape that is not UTF-8
 * (`%FF`) becomes U+FFFD, so two different keys would read as one, and a malformed one (`%`) is
 * kept as typed. Keys are bytes, so routes that take a key read it from the raw URL here.
 */
import { GokvError } from '../errors/index.js';
import { binFromRange, type BinStr } from '../store/index.js';

const HEX = /^[0-9a-fA-F]{2}$/;

/** Every value of `name` in the query of `url` (a request's raw, ASCII URL), as binary strings. */
export function queryParamBytes(url: string, name: string): BinStr[] {
  const at = url.indexOf('?');
  if (at < 0) return [];
  const values: BinStr[] = [];
  for (const pair of url.slice(at + 1).split('&')) {
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    if (percentDecode(rawName) !== name) continue;
    values.push(percentDecode(eq < 0 ? '' : pair.slice(eq + 1)));
  }
  return values;
}

/** `+` is a space (HTML forms); `%XX` is byte XX; anything else is itself (Node refuses non-ASCII URLs). */
function percentDecode(text: string): BinStr {
  const bytes = new Uint8Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const hex = text.slice(i + 1, i + 3);
      if (!HEX.test(hex)) throw new GokvError('ERR', `ERR malformed percent-encoding in the query at '${text.slice(i, i + 3)}'`);
      bytes[n++] = parseInt(hex, 16);
      i += 2;
    } else {
      if (c > 0x7f) throw new GokvError('ERR', 'ERR the query must be ASCII, other bytes percent-encoded');
      bytes[n++] = c === 0x2b ? 0x20 : c;
    }
  }
  return binFromRange(bytes, 0, n);
}
