import { execFileSync } from 'node:child_process';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HISTORY_LINES, loadHistory, saveHistory } from './history-file.js';

describe('history file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gokv-cli-history-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the file readable by its owner only', async () => {
    const path = join(dir, 'history');
    await saveHistory(path, ['SET token hunter2']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadHistory(path)).toEqual(['SET token hunter2']);
  });

  it('narrows an existing world-readable file to its owner', async () => {
    const path = join(dir, 'history');
    await writeFile(path, 'PING\n', { mode: 0o644 });
    await saveHistory(path, ['PING', 'SET token hunter2']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('PING\nSET token hunter2\n');
  });

  it('keeps an existing file as it was when it may not narrow it (owned by another user)', async () => {
    // Root may narrow any file, so the refusal is stood in for: chmod fails with EPERM.
    const path = join(dir, 'history');
    await writeFile(path, 'PING\nGET k\n', { mode: 0o644 });
    const handle = await open(path, 'r');
    const fileHandle = Object.getPrototypeOf(handle) as { chmod(mode: number): Promise<void> };
    await handle.close();
    vi.spyOn(fileHandle, 'chmod').mockRejectedValue(Object.assign(new Error('EPERM'), { code: 'EPERM' }));
    await saveHistory(path, ['PING', 'SET token hunter2']);
    expect(await readFile(path, 'utf8')).toBe('PING\nGET k\n');
  });

  it('leaves the mode of a path that is not a regular file as it is (GOKV_CLI_HISTFILE=/dev/null)', async () => {
    // Run as root (docker exec), narrowing /dev/null to 0600 broke it for every other user of
    // the machine. A FIFO stands in for the device here.
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', ['-m', '0666', path]);
    const read = readFile(path, 'utf8'); // the reading end, so the writer's open returns
    await saveHistory(path, ['PING']);
    expect(await read).toBe('PING\n');
    expect((await stat(path)).mode & 0o777).toBe(0o666);
  });

  it('keeps the last HISTORY_LINES lines', async () => {
    const path = join(dir, 'history');
    await saveHistory(path, Array.from({ length: HISTORY_LINES + 5 }, (_, i) => `GET k${i}`));
    const kept = await loadHistory(path);
    expect(kept).toHaveLength(HISTORY_LINES);
    expect(kept[0]).toBe('GET k5');
  });
});
