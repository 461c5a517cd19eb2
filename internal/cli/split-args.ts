/**
 * Splits a prompt line into arguments with redis-cli's quoting rules (sdssplitargs):
 * whitespace separates; "double quotes" understand \n \r \t \b \a, \xHH (one byte) and a
 * backslash before any other character (that character); 'single quotes' only understand \'.
 * A Buffer line is split as the bytes it is (a piped stdin need not be UTF-8).
 * A closing quote must be followed by whitespace or the end of the line. Returns the
 * arguments as bytes, or null for unbalanced quotes (redis-cli's "Invalid argument(s)").
 */
export function splitArgs(line: string | Buffer): Buffer[] | null {
  const input = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const args: Buffer[] = [];
  let p = 0;
  const at = (i: number): number | undefined => input[i];
  for (;;) {
    while (p < input.length && isSpace(at(p))) p++;
    if (p >= input.length) return args;
    const current: number[] = [];
    let inDouble = false;
    let inSingle = false;
    for (let done = false; !done; p++) {
      const c = at(p);
      if (inDouble) {
        if (c === undefined) return null;
        if (c === BACKSLASH && at(p + 1) === 0x78 && isHex(at(p + 2)) && isHex(at(p + 3))) {
          current.push(Number.parseInt(String.fromCharCode(at(p + 2)!, at(p + 3)!), 16));
          p += 3;
        } else if (c === BACKSLASH && at(p + 1) !== undefined) {
          p++;
          const next = at(p)!;
          current.push(ESCAPES.get(next) ?? next);
        } else if (c === DOUBLE) {
          if (at(p + 1) !== undefined && !isSpace(at(p + 1))) return null;
          done = true;
        } else {
          current.push(c);
        }
      } else if (inSingle) {
        if (c === undefined) return null;
        if (c === BACKSLASH && at(p + 1) === SINGLE) {
          p++;
          current.push(SINGLE);
        } else if (c === SINGLE) {
          if (at(p + 1) !== undefined && !isSpace(at(p + 1))) return null;
          done = true;
        } else {
          current.push(c);
        }
      } else if (c === undefined || isSpace(c)) {
        done = true;
      } else if (c === DOUBLE) {
        inDouble = true;
      } else if (c === SINGLE) {
        inSingle = true;
      } else {
        current.push(c);
      }
    }
    args.push(Buffer.from(current));
  }
}

const BACKSLASH = 0x5c;
const DOUBLE = 0x22;
const SINGLE = 0x27;

/** \n \r \t \b \a inside double quotes; any other escaped byte stands for itself. */
const ESCAPES = new Map<number, number>([
  [0x6e, 0x0a],
  [0x72, 0x0d],
  [0x74, 0x09],
  [0x62, 0x08],
  [0x61, 0x07],
]);

/** C isspace: space, \t, \n, \v, \f, \r. */
function isSpace(c: number | undefined): boolean {
  return c === 0x20 || (c !== undefined && c >= 0x09 && c <= 0x0d);
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}
