import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../internal/log/index.js';
import { startCluster, waitForConvergence, type InProcessCluster } from './helpers/in-process-cluster.js';

// What the nodes log through a join, its hand-off and a graceful leave: every line is one JSON
// object that names its node, with fields named once (pino writes a repeated child binding twice, and a log
// pipeline keeps only one of them), and no line carries a key name or a value (DESIGN.md
// section 10).

let cluster: InProcessCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

/** The top-level field names of one JSON object line, in order, repeats kept. */
function topLevelFields(line: string): string[] {
  const names: string[] = [];
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      const start = i;
      for (i++; line[i] !== '"'; i++) if (line[i] === '\\') i++;
      if (depth === 1 && line[i + 1] === ':') names.push(JSON.parse(line.slice(start, i + 1)) as string);
    } else if (ch === '{' || ch === '[') {
      depth++;
    } else if (ch === '}' || ch === ']') {
      depth--;
    }
  }
  return names;
}

describe('topLevelFields', () => {
  it('names each top-level field, skipping nested ones and escaped quotes', () => {
    expect(topLevelFields('{"a":1,"b":{"a":2},"c":"x\\":y","d":[{"e":1}]}')).toEqual(['a', 'b', 'c', 'd']);
    expect(topLevelFields('{"c":"r","c":"r"}')).toEqual(['c', 'c']);
  });
});

describe('node logs across a hand-off', () => {
  it('name each field once and never carry a key or a value', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const deps = () => ({ log: createLogger({ level: 'debug', destination: out }) });
    cluster = await startCluster(2, { cluster: { replicas: 1 } }, { deps });

    const secrets: string[] = [];
    for (let i = 0; i < 60; i++) {
      const key = `logkey-${i}-q7`;
      const value = `logvalue-${i}-z9`;
      secrets.push(key, value);
      await cluster.clients[i % 2]!.run('HSET', key, 'field', value);
      await cluster.clients[i % 2]!.run('RPUSH', `${key}-list`, value);
    }

    await cluster.add({ cluster: { replicas: 1 } });
    await waitForConvergence(cluster.nodes, 3);
    const leaver = cluster.nodes[1]!;
    await leaver.stop({ leave: true });
    cluster.nodes.splice(1, 1);
    cluster.clients.splice(1, 1)[0]!.close();
    await waitForConvergence(cluster.nodes, 2);
    await vi.waitFor(() => expect(text).toMatch(/"keysSent":[1-9]/), { timeout: 10_000, interval: 50 });

    const lines = text.split('\n').filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      const fields = topLevelFields(line);
      expect(new Set(fields).size, line).toBe(fields.length);
      expect((JSON.parse(line) as { node?: unknown }).node, line).toMatch(/^node[123]$/);
      for (const secret of secrets) expect(line.includes(secret), line).toBe(false);
    }
    // The hand-off lines are among them, named for their component.
    expect(lines.some((l) => l.includes('"component":"rebalance"') && l.includes('"hand-off ended"'))).toBe(true);
  }, 60_000);
});

describe('node start', () => {
  it('warns when memory.max_memory leaves too little of the V8 heap limit', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const deps = () => ({ log: createLogger({ level: 'info', destination: out }) });
    cluster = await startCluster(1, { memory: { maxMemoryBytes: 2 ** 40 } }, { deps });
    await vi.waitFor(() => expect(text).toContain('over 2/3 of the V8 heap limit'));
    const line = text.split('\n').find((l) => l.includes('over 2/3 of the V8 heap limit'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 40, maxMemoryBytes: 2 ** 40 });
  });
});
