import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SystemClock } from '../internal/clock/index.js';
import { writeSnapshot } from '../internal/persistence/index.js';
import { makeStore, putHash } from '../internal/store/testing/fixtures.js';
import { freePort } from './helpers/process-cluster.js';
import { envIgnoringDotenv } from '../internal/config/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs cmd/gokv/main.ts with the given env; collects output; resolves on exit. */
function startGokv(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'cmd', 'gokv', 'main.ts')], {
    cwd: root,
    env: envIgnoringDotenv({ PATH: process.env.PATH ?? '', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('the gokv process', () => {
  it('logs one ready line with its addresses and stops cleanly on SIGTERM', async () => {
    const grpc = `127.0.0.1:${await freePort()}`;
    const internal = `127.0.0.1:${await freePort()}`;
    const node = startGokv({
      GOKV_CLUSTER_BIND_ADDR: internal,
      GOKV_EXTERNAL_GRPC_BIND_ADDR: grpc,
      GOKV_EXTERNAL_REST_BIND_ADDR: '',
      GOKV_EXTERNAL_RESP_BIND_ADDR: '',
    });
    try {
      await expect.poll(() => node.out().includes('gokv node listening'), { timeout: 20_000 }).toBe(true);
      const ready = node.out().split('\n').find((l) => l.includes('gokv node listening'))!;
      expect(JSON.parse(ready)).toMatchObject({ level: 30, grpc, internal, msg: 'gokv node listening' });
      node.child.kill('SIGTERM');
      expect(await node.exited).toBe(0);
      expect(node.out()).toContain('gokv node stopped');
    } finally {
      node.child.kill('SIGKILL');
    }
  });

  it('exits 2 for a TLS file that does not exist, as for any configuration error', async () => {
    const node = startGokv({
      GOKV_CLUSTER_BIND_ADDR: `127.0.0.1:${await freePort()}`,
      GOKV_EXTERNAL_GRPC_BIND_ADDR: `127.0.0.1:${await freePort()}`,
      GOKV_EXTERNAL_REST_BIND_ADDR: '',
      GOKV_EXTERNAL_RESP_BIND_ADDR: '',
      GOKV_EXTERNAL_TLS_SERVER_CERT_PATH: '/nowhere/cert.pem',
      GOKV_EXTERNAL_TLS_SERVER_KEY_PATH: '/nowhere/key.pem',
    });
    expect(await node.exited).toBe(2);
    expect(node.err()).toContain("GOKV_EXTERNAL_TLS_SERVER_CERT_PATH: cannot read: file not found ('/nowhere/cert.pem')");
  });

  // Found by starting a node while another process held its gRPC port: the error was printed, but
  // the process kept running, holding its internal port, and ignored SIGTERM.
  it.each(['GOKV_EXTERNAL_GRPC_BIND_ADDR', 'GOKV_EXTERNAL_REST_BIND_ADDR'])(
    'exits 1, naming the address, when the port of %s is taken',
    async (taken) => {
      const holder = createServer();
      const busy = `127.0.0.1:${await freePort()}`;
      await new Promise<void>((done) => holder.listen(Number(busy.split(':')[1]), '127.0.0.1', done));
      const env: Record<string, string> = {
        GOKV_CLUSTER_BIND_ADDR: `127.0.0.1:${await freePort()}`,
        GOKV_EXTERNAL_GRPC_BIND_ADDR: `127.0.0.1:${await freePort()}`,
        GOKV_EXTERNAL_REST_BIND_ADDR: `127.0.0.1:${await freePort()}`,
        GOKV_EXTERNAL_RESP_BIND_ADDR: '',
        GOKV_PERSISTENCE_PATH: join(mkdtempSync(join(tmpdir(), 'gokv-port-')), 'node.snapshot'),
        [taken]: busy,
      };
      const node = startGokv(env);
      try {
        const timedOut = new Promise<string>((done) => setTimeout(() => done('still running'), 15_000));
        expect(await Promise.race([node.exited, timedOut])).toBe(1);
        expect(node.err()).toContain(`cannot listen on ${busy}`);
        // Only gokv's own line on stderr: grpc-js's "E ... No address added" goes to the JSON log.
        expect(node.err().trim().split('\n')).toEqual([expect.stringMatching(/^gokv: cannot listen on /)]);
        if (taken === 'GOKV_EXTERNAL_GRPC_BIND_ADDR') expect(node.out()).toContain('"component":"grpc-js"');
      } finally {
        node.child.kill('SIGKILL');
        holder.close();
      }
    },
  );

  it('refuses to start on a bad config file, naming the key and the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gokv-config-'));
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'memory:\n  max_memory: lots\ncluster:\n  v_nodes: 3\n');
    const node = startGokv({ GOKV_CONFIG_PATH: file });
    expect(await node.exited).toBe(2);
    expect(node.err()).toContain('memory.max_memory');
    expect(node.err()).toContain('cluster.v_nodes');
    expect(node.err()).toContain('bad.yml');
  });

  // Found by sending SIGTERM while a 500k-key snapshot was being restored: the restore ran to its
  // end, then the node bound every listener and logged ready, then stopped, rewriting the file
  // with its final snapshot (a restore cut short would have been written as the snapshot).
  it('stops at once on SIGTERM during its snapshot restore: binds nothing, leaves the file as it was, exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gokv-restore-'));
    const path = join(dir, 'node.snapshot');
    const { store } = makeStore();
    for (let i = 0; i < 400_000; i++) putHash(store, `key:${i}`, { f: `value-${i}`, g: 'x'.repeat(40) });
    await writeSnapshot(store, new SystemClock(), path);
    const before = readFileSync(path);
    const config = join(dir, 'config.yml');
    writeFileSync(config, 'persistence:\n  persistence_interval: 1m\n  restore_on_startup: always\n');
    const node = startGokv({
      GOKV_CONFIG_PATH: config,
      GOKV_PERSISTENCE_PATH: path,
      GOKV_CLUSTER_BIND_ADDR: `127.0.0.1:${await freePort()}`,
      GOKV_EXTERNAL_GRPC_BIND_ADDR: `127.0.0.1:${await freePort()}`,
      GOKV_EXTERNAL_REST_BIND_ADDR: `127.0.0.1:${await freePort()}`,
      GOKV_EXTERNAL_RESP_BIND_ADDR: '',
    });
    try {
      await expect.poll(() => node.out().includes('restoring snapshot'), { timeout: 20_000, interval: 5 }).toBe(true);
      node.child.kill('SIGTERM');
      expect(await node.exited).toBe(0);
      const lines = node.out().trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
      expect(lines.map((l) => l.msg)).not.toContain('gokv node listening');
      expect(lines.map((l) => l.msg)).toContain('snapshot restore stopped: the node is stopping');
      expect(lines.at(-1)?.msg).toBe('gokv node stopped before serving');
      expect(readFileSync(path).equals(before)).toBe(true);
      expect(readdirSync(dir).sort()).toEqual(['config.yml', 'node.snapshot']); // its lock released too
    } finally {
      node.child.kill('SIGKILL');
    }
  }, 60_000);

  /**
   * A directory holding a config file that snapshots hourly, and the env of a node on free ports
   * whose snapshot path is `<dir>/node.snapshot` (each call gives other ports, the same path).
   */
  function snapshottingSetup(prefix: string) {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const path = join(dir, 'node.snapshot');
    const config = join(dir, 'config.yml');
    writeFileSync(config, 'persistence:\n  persistence_interval: 1h\n');
    const env = async (): Promise<Record<string, string>> => ({
      GOKV_CONFIG_PATH: config,
      GOKV_PERSISTENCE_PATH: path,
      GOKV_CLUSTER_BIND_ADDR: `127.0.0.1:${await freePort()}`,
      GOKV_EXTERNAL_GRPC_BIND_ADDR: `127.0.0.1:${await freePort()}`,
      GOKV_EXTERNAL_REST_BIND_ADDR: '',
      GOKV_EXTERNAL_RESP_BIND_ADDR: '',
    });
    return { dir, path, env };
  }

  const listening = (node: ReturnType<typeof startGokv>) =>
    expect.poll(() => node.out().includes('gokv node listening'), { timeout: 20_000 }).toBe(true);

  // Found by a review: two nodes given one GOKV_PERSISTENCE_PATH (a copied .env) wrote one
  // temporary file at once; one reported success for a file holding only the other's keys.
  it('refuses to start a second node on a snapshot path a running node holds, naming its pid', async () => {
    const { dir, env } = snapshottingSetup('gokv-shared-');
    const first = startGokv(await env());
    try {
      await listening(first);
      const second = startGokv(await env());
      expect(await second.exited).toBe(1);
      expect(second.err()).toMatch(new RegExp(`snapshot path .*node\\.snapshot is in use by another running gokv \\(pid ${first.child.pid},`));
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(readdirSync(dir).sort()).toEqual(['config.yml', 'node.snapshot']); // the lock went with it
    } finally {
      first.child.kill('SIGKILL');
    }
  }, 60_000);

  // Found by a review: with the disk full, the final snapshot failed, and the node still exited 0.
  it('exits 1 when its final snapshot fails, saying the writes since the last one are not on disk', async () => {
    const { path, env } = snapshottingSetup('gokv-final-');
    const node = startGokv(await env());
    try {
      await listening(node);
      mkdirSync(path); // the final snapshot cannot replace a directory
      node.child.kill('SIGTERM');
      expect(await node.exited).toBe(1);
      const msgs = node.out().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; err?: { message: string } });
      expect(msgs.find((l) => l.msg === 'snapshot failed')).toBeDefined();
      expect(msgs.find((l) => l.msg === 'stop failed')?.err?.message).toMatch(/final snapshot to .* failed .*writes since the previous snapshot are not on disk/);
    } finally {
      node.child.kill('SIGKILL');
    }
  }, 60_000);
});
