import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Lines kept in the history file, as redis-cli keeps its ~/.rediscli_history. */
export const HISTORY_LINES = 1000;

/** GOKV_CLI_HISTFILE names the file ("" turns history off); else ~/.gokvcli_history. */
export function historyPath(env: Record<string, string | undefined>): string | undefined {
  const explicit = env['GOKV_CLI_HISTFILE'];
  if (explicit !== undefined) return explicit === '' ? undefined : explicit;
  const home = env['HOME'] ?? env['USERPROFILE'];
  return home ? join(home, '.gokvcli_history') : undefined;
}

/** Oldest first; a missing or unreadable file is an empty history. */
export async function loadHistory(path: string | undefined): Promise<string[]> {
  if (path === undefined) return [];
  try {
    return (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  } catch {
    return [];
  }
}

/**
 * Writes the last HISTORY_LINES lines, owner-readable only (lines may hold values), also when
 * the file already existed with a wider mode, as redis-cli does; failures are ignored.
 */
export async function saveHistory(path: string | undefined, lines: readonly string[]): Promise<void> {
  if (path === undefined) return;
  try {
    // Opened to append, so nothing is lost before it is narrowed: a file we may not narrow
    // keeps its lines and gets no new ones. Only a regular file is narrowed and emptied: a
    // device (GOKV_CLI_HISTFILE=/dev/null, run as root) is not ours to narrow.
    const file = await open(path, 'a', 0o600);
    try {
      if ((await file.stat()).isFile()) {
        await file.chmod(0o600);
        await file.truncate(0);
      }
      await file.writeFile(`${lines.slice(-HISTORY_LINES).join('\n')}\n`);
    } finally {
      await file.close();
    }
  } catch {
    // A read-only home is no reason to fail a session.
  }
}
