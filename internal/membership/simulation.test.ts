import { describe, expect, it } from 'vitest';
import { FakeNetwork } from '../peer/fake-network.js';
import { measureDissemination } from './dissemination.js';

describe('dissemination (probe)', () => {
  it.each([50, 200, 1000])('n=%i', async (n) => {
    const t0 = performance.now();
    const r = await measureDissemination(n, (deps) => new FakeNetwork(deps));
    console.log(JSON.stringify(r), Math.round(performance.now() - t0), 'ms');
    expect(r.joinRounds).toBeGreaterThan(0);
  });
});
