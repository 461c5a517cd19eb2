import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '../../log/index.js';

/** A fresh directory under the OS temp dir; `remove()` deletes it and everything in it. */
export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'gokv-snap-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A logger whose JSON lines are kept for assertions. */
export function captureLog(): { log: Logger; lines(): Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(line) } as unknown as NodeJS.WritableStream });
  return { log, lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
