import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('certs.sh', () => {
  // Found by a review: openssl refused such an address only after the CA and node certificates
  // were written, with only "cannot sign the certificate for external".
  it.each([['IP:notanip'], ['IP:10.0.0.256'], ['IP:1.2.3']])('refuses GOKV_CERT_EXTERNAL_SANS=%s before writing anything', (san) => {
    const dir = mkdtempSync(join(tmpdir(), 'gokv-certs-sh-'));
    try {
      const out = join(dir, 'certs');
      const run = spawnSync('bash', [join(root, 'certs.sh'), out], { env: { ...process.env, GOKV_CERT_EXTERNAL_SANS: `DNS:gokv ${san}` }, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`bad entry '${san}' in GOKV_CERT_EXTERNAL_SANS: not an IP address`);
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts IPv4 and IPv6 addresses in GOKV_CERT_EXTERNAL_SANS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gokv-certs-sh-'));
    try {
      const out = join(dir, 'certs');
      const sans = 'DNS:gokv IP:10.0.0.5 IP:255.255.255.255 IP:::1 IP:fe80::1 IP:::ffff:10.0.0.1';
      const run = spawnSync('bash', [join(root, 'certs.sh'), out], { env: { ...process.env, GOKV_CERT_EXTERNAL_SANS: sans }, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(existsSync(join(out, 'external.cert.pem'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['GOKV_CERT_DAYS', '0'],
    ['GOKV_CERT_DAYS', 'soon'],
    ['GOKV_CERT_CA_DAYS', '-5'],
  ])('refuses %s=%s before writing anything (no certificate born expired)', (name, value) => {
    const dir = mkdtempSync(join(tmpdir(), 'gokv-certs-sh-'));
    try {
      const out = join(dir, 'certs');
      const run = spawnSync('bash', [join(root, 'certs.sh'), out], { env: { ...process.env, [name]: value }, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`${name} must be a whole number of days above 0, got '${value}'`);
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
