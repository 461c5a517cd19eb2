import { describe, expect, it } from 'vitest';
import { abTable, ratioSummary } from './ab.js';

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

  it('prints one table row per scenario with the median ratio and its range', () => {
    const table = abTable([{ pair: 'single / bare', scenario: 'hset', mode: 'Run C=1', rounds: [{ num: 11, den: 10 }, { num: 13, den: 10 }] }]);
    expect(table).toContain('| single / bare | hset | Run C=1 | 1.20x | 1.10-1.30x | 12.0 | 10.0 | 2 |');
  });
});
