import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freePort } from './helpers/free-port.js';

describe('freePort (test helper)', () => {
  it.runIf(process.platform === 'linux')('never hands out the same port twice in a row of 300, all below the ephemeral range', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 300; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    const range = '/proc/sys/net/ipv4/ip_local_port_range';
    const ephemeralLow = Number(readFileSync(range, 'utf8').trim().split(/\s+/)[0]);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(10_000);
      expect(p).toBeLessThan(ephemeralLow);
    }
  });
});
