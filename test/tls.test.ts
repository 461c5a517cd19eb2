import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../internal/cli/index.js';
import { captureIo } from '../internal/cli/testing/capture-io.js';
import { testConfig, type Config, type DeepPartial } from '../internal/config/index.js';
import { createLogger } from '../internal/log/index.js';
import { startNode, type GokvNode } from '../internal/node/index.js';
import { loadProtos } from '../internal/wire/index.js';
import { parseExposition } from '../internal/metrics/testing/parse-exposition.js';
import { canMakeCerts, makeCerts, type CertDir } from '../internal/tls/testing/make-certs.js';
import { TestClient, text } from './helpers/client.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

/** A debug logger that keeps its JSON lines, to wait on what a node reports. */
function recordingLogger() {
  const lines: Array<{ level: number; msg: string; [field: string]: unknown }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines };
}

/** Internal mutual TLS with `node`'s own certificate from `dir`. */
const internalTls = (dir: CertDir, node: string): DeepPartial<Config> => ({
  tls: {
    internal: {
      caPath: dir.file('ca.cert.pem'),
      serverCertPath: dir.file(`${node}.cert.pem`),
      serverKeyPath: dir.file(`${node}.key.pem`),
      clientCertPath: dir.file(`${node}.cert.pem`),
      clientKeyPath: dir.file(`${node}.key.pem`),
    },
  },
});

describe('a node without TLS variables', () => {
  let node: GokvNode | undefined;
  afterEach(async () => {
    await node?.stop({ leave: false });
    node = undefined;
  });

  it('runs plaintext and says so in one warning', async () => {
    const { log, lines } = recordingLogger();
    node = await startNode(testConfig({ node: { id: 'plain' } }), { log });
    const warnings = lines.filter((l) => l.level === 40 && /TLS is off/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain('GOKV_INTERNAL_TLS_CA_PATH');
    expect(await new TestClient(node.addresses.grpc!).run('PING')).toBe('PONG');
  });
});

describe.skipIf(!canMakeCerts)('mutual TLS with certificates from certs.sh', () => {
  let certs: CertDir;
  let other: CertDir;
  let cluster: InProcessCluster | undefined;
  const strays: Array<{ close(): void }> = [];
  let intruder: GokvNode | undefined;
  const pem = (dir: CertDir, name: string) => readFileSync(dir.file(name));

  beforeAll(async () => {
    certs = makeCerts('gokv-tls-');
    other = makeCerts('gokv-tls-other-');
    const external: DeepPartial<Config> = {
      tls: {
        external: {
          caPath: certs.file('ca.cert.pem'),
          serverCertPath: certs.file('external.cert.pem'),
          serverKeyPath: certs.file('external.key.pem'),
          clientAuth: 'require',
        },
      },
    };
    cluster = await startCluster(3, external, {
      perNode: (i) => internalTls(certs, `gokv${i + 1}`),
      clientCredentials: grpc.credentials.createSsl(pem(certs, 'ca.cert.pem'), pem(certs, 'client.key.pem'), pem(certs, 'client.cert.pem')),
    });
  });
  afterEach(async () => {
    for (const s of strays.splice(0)) s.close();
    await intruder?.stop({ leave: false });
    intruder = undefined;
  });
  afterAll(async () => {
    await cluster?.stop();
    certs?.remove();
    other?.remove();
  });

  it('joins three nodes, each with its own certificate, and serves commands across them', async () => {
    const { nodes, clients } = cluster!;
    for (const node of nodes) expect(node.members().filter((m) => m.status === 'alive')).toHaveLength(3);
    for (let i = 0; i < 12; i++) expect(await clients[i % 3]!.run('HSET', `tls:${i}`, 'f', `v${i}`)).toBe(1);
    for (let i = 0; i < 12; i++) {
      for (const reader of clients) {
        const [value] = (await reader.run('HMGET', `tls:${i}`, 'f')) as Buffer[];
        expect(text(value!)).toBe(`v${i}`);
      }
    }
  });

  it.each([
    ['no client certificate', () => grpc.credentials.createSsl(pem(certs, 'ca.cert.pem'))],
    ['a client certificate from another CA', () => grpc.credentials.createSsl(pem(certs, 'ca.cert.pem'), pem(other, 'client.key.pem'), pem(other, 'client.cert.pem'))],
    ['plaintext', () => grpc.credentials.createInsecure()],
  ])('refuses a client with %s before it reaches the command path', async (_name, credentials) => {
    const { nodes, clients } = cluster!;
    const keysBefore = nodes.map((n) => n.store.size);
    for (const node of nodes) {
      const stranger = new TestClient(node.addresses.grpc!, credentials());
      strays.push(stranger);
      await expect(stranger.run('HSET', `refused:${node.id}`, 'f', 'v')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    }
    expect(nodes.map((n) => n.store.size)).toEqual(keysBefore);
    for (const node of nodes) expect(await clients[0]!.run('EXISTS', `refused:${node.id}`)).toBe(0);
  });

  it('lets gokv-cli in with --ca, --cert and --key, and exits 3 without --cert', async () => {
    const addr = cluster!.nodes[1]!.addresses.grpc!;
    const ca = certs.file('ca.cert.pem');
    const withCert = captureIo();
    const flags = ['--uri', addr, '--timeout', '3000', '--ca', ca];
    expect(await runCli([...flags, '--cert', certs.file('client.cert.pem'), '--key', certs.file('client.key.pem'), 'run', 'PING'], withCert)).toBe(0);
    expect(withCert.out()).toBe('PONG\n');
    const withoutCert = captureIo();
    expect(await runCli([...flags, 'run', 'PING'], withoutCert)).toBe(3);
    expect(withoutCert.err()).toMatch(/pass --cert and --key/);
  });

  it.each([
    ['from another CA', () => [other.file('client.cert.pem'), other.file('client.key.pem')], /the server refused the client certificate/],
    ['that is not for clients', () => [certs.file('external.cert.pem'), certs.file('external.key.pem')], /the server refused the client certificate/],
  ])('tells gokv-cli why its client certificate %s is refused, at once', async (_name, files, reason) => {
    const [cert, key] = files();
    const io = captureIo();
    const flags = ['--uri', cluster!.nodes[0]!.addresses.grpc!, '--ca', certs.file('ca.cert.pem'), '--cert', cert!, '--key', key!];
    expect(await runCli([...flags, 'run', 'PING'], io)).toBe(3);
    expect(io.err()).toMatch(reason); // a diagnosed TLS error is never retried
  });

  it('refuses an application\'s client certificate from the same CA on the cluster port', async () => {
    // certs.sh signs every certificate with one CA; client.cert.pem is for clientAuth only.
    const { nodes } = cluster!;
    const { internal } = loadProtos();
    const asApp = new internal.internalpb.InternalServer(
      nodes[0]!.addresses.internal!,
      grpc.credentials.createSsl(pem(certs, 'ca.cert.pem'), pem(certs, 'client.key.pem'), pem(certs, 'client.cert.pem')),
    );
    strays.push(asApp);
    const heartbeat = (peer: string) =>
      new Promise<unknown>((resolve, reject) =>
        asApp.Heartbeat(
          { fromNodeId: 'evil', peers: [{ nodeId: 'evil', nodeInternalAddr: peer, alive: true, status: 'alive', heartbeat: '1', incarnation: '1' }] },
          { deadline: Date.now() + 5_000 },
          (err, res) => (err ? reject(err) : resolve(res)),
        ),
      );
    await expect(heartbeat('127.0.0.1:1')).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED, details: expect.stringMatching(/not a node certificate/) });
    const forward = new Promise((resolve, reject) =>
      asApp.ForwardCommand({ command: 'HGET', key: 'tls:0', args: [Buffer.from('f')], hops: 0 } as never, { deadline: Date.now() + 5_000 }, (err, res) => (err ? reject(err) : resolve(res))),
    );
    await expect(forward).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    for (const node of nodes) expect(node.members().map((m) => m.id)).not.toContain('evil');
  });

  it('keeps out a node whose internal CA differs: it stays alone and is never listed alive', async () => {
    const { nodes } = cluster!;
    const { log, lines } = recordingLogger();
    const seed = { id: nodes[0]!.id, addr: nodes[0]!.addresses.internal! };
    intruder = await startNode(testConfig({ ...internalTls(other, 'gokv1'), node: { id: 'intruder' }, addresses: { seeds: [seed] } }), { log });
    const sightings: string[] = [];
    await vi.waitFor(
      () => {
        for (const node of nodes) {
          if (node.members().some((m) => m.id === 'intruder' && m.status === 'alive')) sightings.push(node.id);
        }
        // Condition: the intruder has tried (and failed) to reach the cluster several times.
        expect(lines.filter((l) => l.msg === 'heartbeat failed').length).toBeGreaterThanOrEqual(5);
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(sightings).toEqual([]);
    expect(intruder.members().filter((m) => m.status === 'alive').map((m) => m.id)).toEqual(['intruder']);
    const failure = lines.find((l) => l.msg === 'heartbeat failed') as { err?: { message?: string } } | undefined;
    expect(failure?.err?.message).toMatch(/certificate/);
    // Said at warn level too (no debug log needed), once a minute per peer, not per heartbeat.
    const warnings = lines.filter((l) => l.level === 40 && l.msg === 'heartbeat refused: TLS or certificate problem');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ peer: seed.addr, reason: expect.stringMatching(/certificate/) });
    for (const node of nodes) expect(node.members().filter((m) => m.status === 'alive')).toHaveLength(3);
  });
});

describe.skipIf(!canMakeCerts)('a node whose certificates expire within 30 days', () => {
  let certs: CertDir;
  let node: GokvNode | undefined;
  beforeAll(() => {
    certs = makeCerts('gokv-tls-soon-', { GOKV_CERT_NODES: 'gokv1', GOKV_CERT_DAYS: '10', GOKV_CERT_CA_DAYS: '40' });
  });
  afterEach(async () => {
    await node?.stop({ leave: false });
    node = undefined;
  });
  afterAll(() => certs?.remove());

  it('warns at start naming each such file, and exports every file\'s notAfter on /metrics', async () => {
    const { log, lines } = recordingLogger();
    node = await startNode(testConfig({ node: { id: 'soon' }, ...internalTls(certs, 'gokv1') }), { log });
    const warnings = lines.filter((l) => l.level === 40 && l.component === 'tls');
    expect(warnings.map((l) => l.variable)).toEqual(['GOKV_INTERNAL_TLS_SERVER_CERT_PATH', 'GOKV_INTERNAL_TLS_CLIENT_CERT_PATH']);
    expect(warnings[0]).toMatchObject({ path: certs.file('gokv1.cert.pem'), notAfter: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(warnings[0]!.msg).toMatch(/^GOKV_INTERNAL_TLS_SERVER_CERT_PATH: the certificate expires on .+ \(in 9 days\)/);

    const e = parseExposition(await (await fetch(`http://${node.addresses.rest}/metrics`)).text());
    const notAfter = (which: string) => e.value('gokv_tls_certificate_expiry_timestamp_seconds', { which });
    const inDays = (which: string) => Math.round((notAfter(which)! - Date.now() / 1000) / 86_400);
    expect([inDays('internal_server'), inDays('internal_client'), inDays('internal_ca')]).toEqual([10, 10, 40]);
    expect(notAfter('external_server')).toBeUndefined();
  });

  it('exports no certificate dates without TLS', async () => {
    node = await startNode(testConfig({ node: { id: 'plain-metrics' } }), { log: recordingLogger().log });
    const text = await (await fetch(`http://${node.addresses.rest}/metrics`)).text();
    expect(text).not.toMatch(/^gokv_tls_certificate_expiry_timestamp_seconds\{/m);
  });
});
