import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('certs.sh', () => {
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
