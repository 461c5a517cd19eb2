import { describe, expect, it } from 'vitest';
import type { Reply } from '../command/index.js';
import { wrongType } from '../errors/index.js';
import type { NodeMetrics } from '../metrics/index.js';
import type { CommandService, ServedCommand } from '../server/index.js';
import { instrumentService } from './instrumented-service.js';

/** Records commandDone calls; nothing else of NodeMetrics is used by the wrapper. */
function recorder() {
  const calls: [string, string, number][] = [];
  const metrics = { commandDone: (name: string, outcome: string, s: number) => calls.push([name, outcome, s]) };
  return { calls, metrics: metrics as unknown as NodeMetrics };
}

function serviceAnswering(answer: (c: ServedCommand) => Reply | Promise<Reply>): CommandService {
  return { execute: answer, members: () => [], ringVersion: () => 3 };
}

const cmd = (name: string): ServedCommand => ({ name, key: 'k', args: [] });

describe('instrumentService', () => {
  it('counts a synchronous answer and keeps it synchronous', () => {
    const { calls, metrics } = recorder();
    const s = instrumentService(serviceAnswering(() => 1), metrics);
    expect(s.execute(cmd('HSET'))).toBe(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.slice(0, 2)).toEqual(['HSET', 'ok']);
    expect(calls[0]![2]).toBeGreaterThanOrEqual(0);
    expect(s.ringVersion()).toBe(3);
  });

  it('counts a thrown GokvError by its code and anything else as INTERNAL, and rethrows', () => {
    const { calls, metrics } = recorder();
    const s = instrumentService(
      serviceAnswering((c) => {
        throw c.name === 'HGET' ? wrongType() : new TypeError('bug');
      }),
      metrics,
    );
    expect(() => s.execute(cmd('HGET'))).toThrow(/WRONGTYPE/);
    expect(() => s.execute(cmd('LPOP'))).toThrow(TypeError);
    expect(calls.map((c) => c.slice(0, 2))).toEqual([
      ['HGET', 'WRONGTYPE'],
      ['LPOP', 'INTERNAL'],
    ]);
  });

  it('counts a promise when it settles', async () => {
    const { calls, metrics } = recorder();
    let settle!: (r: Reply) => void;
    const s = instrumentService(
      serviceAnswering((c) => (c.name === 'GET' ? new Promise<Reply>((r) => (settle = r)) : Promise.reject(wrongType()))),
      metrics,
    );
    const pending = s.execute(cmd('GET'));
    expect(calls).toHaveLength(0);
    settle('v');
    await expect(pending).resolves.toBe('v');
    await expect(s.execute(cmd('LLEN'))).rejects.toThrow(/WRONGTYPE/);
    expect(calls.map((c) => c.slice(0, 2))).toEqual([
      ['GET', 'ok'],
      ['LLEN', 'WRONGTYPE'],
    ]);
  });
});
