import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/index.js';
import type { CertificateExpiry } from '../tls/index.js';
import { startCertificateExpiryWatch, warnOfExpiringCertificates } from './tls-expiry.js';

const DAY_MS = 86_400_000;
const START_MS = Date.parse('2026-11-01T00:00:00Z');

function recordingLog() {
  const lines: Array<{ level: number; msg: string; variable: string; path: string; notAfter: string }> = [];
  const log = pino({ base: {} }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const said = () => lines.splice(0).map((l) => [l.level === 50 ? 'error' : 'warn', l.variable]);
  return { log, lines, said };
}

const cert = (variable: string, daysLeft: number): CertificateExpiry => ({
  which: 'internal_server',
  variable,
  path: `/certs/${variable}.pem`,
  notAfterMs: START_MS + daysLeft * DAY_MS,
});
const SOON = cert('SOON', 3.5);
const MONTH = cert('MONTH', 10.25);
const FAR = cert('FAR', 100);

describe('TLS certificate expiry warnings', () => {
  it('warns at start about the certificates within 30 days, with the variable, file and date as fields', () => {
    const { log, lines } = recordingLog();
    warnOfExpiringCertificates([SOON, MONTH, FAR], START_MS, log);
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, variable: 'SOON', path: '/certs/SOON.pem', notAfter: '2026-11-04T12:00:00.000Z' }),
      expect.objectContaining({
        level: 40,
        variable: 'MONTH',
        notAfter: '2026-11-11T06:00:00.000Z',
        msg: expect.stringMatching(/^MONTH: the certificate expires on 2026-11-11T06:00:00.000Z \(in 10 days\)/),
      }),
    ]);
  });

  it('warns once a day within 7 days and logs one error when the time passes', () => {
    const clock = new ManualClock(START_MS);
    const { log, lines, said } = recordingLog();
    const stop = startCertificateExpiryWatch([SOON, MONTH, FAR], clock, log);
    expect(said()).toEqual([]); // day one is the start warning's
    clock.advance(DAY_MS);
    expect(said()).toEqual([['warn', 'SOON']]);
    clock.advance(DAY_MS);
    clock.advance(DAY_MS);
    expect(said()).toEqual([['warn', 'SOON'], ['warn', 'SOON']]);
    clock.advance(DAY_MS / 2 - 1);
    expect(said()).toEqual([]);
    clock.advance(1); // SOON's notAfter, half a day before the next daily check
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, variable: 'SOON', msg: expect.stringMatching(/expired on 2026-11-04T12:00:00.000Z; TLS handshakes with it now fail/) }),
    ]);
    said();
    clock.advance(DAY_MS / 2);
    expect(said()).toEqual([['warn', 'MONTH']]); // 6 days left; the expired one is not repeated
    clock.advance(5 * DAY_MS);
    expect(said()).toEqual(Array(5).fill(['warn', 'MONTH']));
    clock.advance(DAY_MS);
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: expect.stringContaining('(in less than a day)') })]);
    said();
    clock.advance(DAY_MS / 4);
    expect(said()).toEqual([['error', 'MONTH']]);
    stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('sets no timer without certificates', () => {
    const clock = new ManualClock(START_MS);
    startCertificateExpiryWatch([], clock, recordingLog().log);
    expect(clock.pendingTimers()).toBe(0);
  });
});
