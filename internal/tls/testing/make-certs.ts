/** Test helper: certificates made by the repository's certs.sh into a fresh temp directory. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's certs.sh. */
export const CERTS_SCRIPT = fileURLToPath(new URL('../../../certs.sh', import.meta.url));

/** True when openssl (and bash) can run certs.sh here; tests skip otherwise. */
export const canMakeCerts = spawnSync('openssl', ['version']).status === 0 && spawnSync('bash', ['--version']).status === 0;

export interface CertDir {
  readonly dir: string;
  /** Absolute path of a file in the directory, e.g. `file('gokv1.cert.pem')`. */
  file(name: string): string;
  remove(): void;
}

/** Runs `certs.sh DIR` (with extra environment, e.g. GOKV_CERT_NODES) into a new temp directory. */
export function makeCerts(prefix = 'gokv-certs-', env: Record<string, string> = {}): CertDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  runCerts(dir, env);
  return { dir, file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs certs.sh into `dir`; returns its stdout. Throws with its stderr when it fails. */
export function runCerts(dir: string, env: Record<string, string> = {}): string {
  try {
    return execFileSync('bash', [CERTS_SCRIPT, dir], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`certs.sh failed: ${stderr.trim()}`, { cause: err });
  }
}
