import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSmallFile } from './bounded-read.js';
import { loadConfig } from './load.js';

describe('readSmallFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gokv-small-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file of exactly the bound, and refuses one byte more', () => {
    const path = join(dir, 'f');
    writeFileSync(path, 'x'.repeat(16));
    expect(readSmallFile(path, 16).toString()).toBe('x'.repeat(16));
    expect(() => readSmallFile(path, 15)).toThrow(expect.objectContaining({ code: 'EFBIG', message: 'larger than 15 bytes' }));
  });

  it('refuses an endless device instead of reading it until memory runs out', () => {
    expect(() => readSmallFile('/dev/zero', 1024)).toThrow('larger than 1024 bytes');
  });

  it('reads a FIFO, which stat cannot size (a shell\'s <(...))', async () => {
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', [path]);
    // The writer runs in a shell of its own: this process blocks in the synchronous read.
    const writer = execFileSync('sh', ['-c', `(printf 'cluster:\\n' > '${path}') >/dev/null 2>&1 & echo started`]).toString();
    expect(writer.trim()).toBe('started');
    expect(readSmallFile(path).toString()).toBe('cluster:\n');
  });

  it('makes loadConfig name the file and the reason', () => {
    expect(() => loadConfig({ env: { GOKV_CONFIG_PATH: '/dev/zero' }, cwd: dir })).toThrow(/\/dev\/zero: cannot read: larger than \d+ bytes/);
  });
});
