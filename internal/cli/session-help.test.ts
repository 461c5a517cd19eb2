import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../command/index.js';
import { SESSION_HELP } from './session-help.js';

describe('SESSION_HELP', () => {
  it('names every command of the table and every cluster-wide one', () => {
    const words = new Set(SESSION_HELP.split(/[^A-Z]+/));
    const missing = [...COMMANDS.map((c) => c.name), 'DBSIZE', 'FLUSHALL', 'FLUSHDB', 'KEYS', 'EXPLAIN', 'SNAPSHOT'].filter((n) => !words.has(n));
    expect(missing).toEqual([]);
  });

  it('keeps every line within 100 columns', () => {
    for (const line of SESSION_HELP.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });
});
