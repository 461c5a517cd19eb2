import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The most a config.yml, `.env` or PEM file may hold: far above any real one (a system CA
 * bundle is about 200 KB). A path such as /dev/zero would otherwise be read until memory ran out.
 */
export const MAX_SMALL_FILE_BYTES = 4 << 20;

/**
 * Reads a whole file of at most `maxBytes`; larger, it throws an error with code EFBIG. Reads
 * rather than trusting stat, so a FIFO or /dev/fd path (`<(...)` in a shell) still works.
 */
export function readSmallFile(path: string, maxBytes = MAX_SMALL_FILE_BYTES): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(maxBytes + 1);
    let length = 0;
    while (length < buf.length) {
      const got = readSync(fd, buf, length, buf.length - length, null);
      if (got === 0) break;
      length += got;
    }
    if (length > maxBytes) {
      throw Object.assign(new Error(`larger than ${maxBytes} bytes`), { code: 'EFBIG' });
    }
    return Buffer.from(buf.subarray(0, length));
  } finally {
    closeSync(fd);
  }
}
