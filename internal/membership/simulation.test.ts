import { describe, expect, it } from 'vitest';
import { FakeNetwork } from '../peer/fake-network.js';
import { measureDissemination } from './dissemination.js';

const onFakeNetwork = (deps: ConstructorParameters<typeof FakeNetwork>[0]) => new FakeNetwork(deps);

describe('gossip dissemination in synchronous rounds (fan-out 2, push-pull)', () => {
  it.each([50, 200, 1000])(
    'spreads a join and a death to all of %i members within 3 log2 N rounds',
    async (n) => {
      const result = await measureDissemination(n, onFakeNetwork);
      console.info(`membership simulation: ${JSON.stringify(result)}`);
      const bound = 3 * Math.log2(n);
      expect(result.joinRounds).toBeLessThanOrEqual(bound);
      expect(result.deathRounds).toBeLessThanOrEqual(bound);
      expect(result.falseDeaths).toBe(0);
    },
    120_000,
  );

  it('detects a crash by silence alone, with no false suspicion in a steady cluster of 50', async () => {
    const result = await measureDissemination(50, onFakeNetwork, { detect: true, steadyRounds: 20 });
    console.info(`membership simulation (detect): ${JSON.stringify(result)}`);
    // dead_after 6 s scaled by log10(50) = 10.2 s: the first verdict comes ~11 rounds after the crash.
    expect(result.detectRounds).toBeGreaterThanOrEqual(10);
    expect(result.detectRounds).toBeLessThanOrEqual(14);
    expect(result.deathRounds).toBeLessThanOrEqual(3 * Math.log2(50));
    expect(result).toMatchObject({ falseSuspicions: 0, falseDeaths: 0 });
  });

  it('repeats exactly for a seed', async () => {
    const a = await measureDissemination(50, onFakeNetwork, { seed: 7 });
    const b = await measureDissemination(50, onFakeNetwork, { seed: 7 });
    expect(b).toEqual(a);
  });
});
