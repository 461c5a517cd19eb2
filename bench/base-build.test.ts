import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBase, resolveCommit } from './base-build.js';
import { parseArgs } from './plan.js';

describe('--ab --base', () => {
  const parent = mkdtempSync(join(tmpdir(), 'gokv-base-test-'));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('resolves a ref to its full commit id, and names a ref that is no commit', () => {
    expect(resolveCommit('HEAD')).toMatch(/^[0-9a-f]{40}$/);
    expect(() => resolveCommit('no-such-ref-anywhere')).toThrow('--base: no-such-ref-anywhere names no commit of this repository');
  });

  it('is refused without --ab or without a commit', () => {
    expect(() => parseArgs(['--base', 'HEAD'])).toThrow('use it with --ab');
    expect(() => parseArgs(['--ab', '--base'])).toThrow('--base: expected a commit');
    expect(parseArgs(['--ab', '--base', 'HEAD~1']).base).toBe('HEAD~1');
    expect(parseArgs(['--ab']).base).toBeUndefined();
  });

  it('exports and compiles a commit into a runnable checkout, then reuses that build', { timeout: 120_000 }, () => {
    const commit = resolveCommit('HEAD');
    const lines: string[] = [];
    const dir = buildBase(commit, (l) => lines.push(l), parent);
    expect(existsSync(join(dir, 'dist', 'cmd', 'gokv', 'main.js'))).toBe(true);
    expect(readFileSync(join(dir, '.bench-base-built'), 'utf8').trim()).toBe(commit);
    expect(lines.join('\n')).toContain('exporting and compiling');
    expect(buildBase(commit, (l) => lines.push(l), parent)).toBe(dir);
    expect(lines[lines.length - 1]).toContain('reusing the build');
  });
});
