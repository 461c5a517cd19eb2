import { describe, expect, it } from 'vitest';
import { abTable, ratioSummary, startOrder } from './ab.js';

describe('ratioSummary', () => {
  it('takes the median of per-round ratios, not the ratio of medians', () => {
    // Ratios 2, 1 and 1.5: the median is 1.5, while the medians of each side (20 / 20) give 1.
    const s = ratioSummary([
      { num: 40, den: 20 },
      { num: 10, den: 10 },
      { num: 20, den: 40 / 3 },
    ]);
    expect(s.median).toBeCloseTo(1.5);
    expect(s.min).toBeCloseTo(1);
    expect(s.max).toBeCloseTo(2);
  });

  it('averages the middle two ratios of an even count', () => {
    const s = ratioSummary([1, 2, 3, 4].map((r) => ({ num: r, den: 1 })));
    expect(s.median).toBe(2.5);
  });

  it('starts every target first, second and third once over three fresh rounds', () => {
    const orders = [0, 1, 2].map((round) => startOrder(3, round));
    expect(orders[0]).toEqual([0, 1, 2]);
    for (let place = 0; place < 3; place++) expect(new Set(orders.map((o) => o[place]))).toEqual(new Set([0, 1, 2]));
    for (const o of orders) expect([...o].sort()).toEqual([0, 1, 2]);
  });

  it('prints one table row per scenario with the median ratio and its range', () => {
    const table = abTable([{ pair: 'single / bare', scenario: 'hset', mode: 'Run C=1', rounds: [{ num: 11, den: 10 }, { num: 13, den: 10 }] }]);
    expect(table).toContain('| single / bare | hset | Run C=1 | 1.20x | 1.10-1.30x | 12.0 | 10.0 | 2 |');
  });
});
