import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { pack } from 'msgpackr';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from './exit-codes.js';
import { runCli } from './run-cli.js';
import { captureIo } from './testing/capture-io.js';
import { startFakeServer, type FakeServer } from './testing/fake-server.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

/** A CA, a server cert for localhost signed by it, a client cert, and a second unrelated CA. */
function makeCerts(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) ssl('req', '-x509', ...ec, '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=${ca}`);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\n');
  writeFileSync(join(dir, 'elsewhere.ext'), 'subjectAltName=DNS:elsewhere.example\n');
  const leaf = (name: string, ext?: string) => {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...(ext ? ['-extfile', ext] : []));
  };
  leaf('server', 'server.ext');
  leaf('elsewhere', 'elsewhere.ext');
  leaf('client');
}

describe.skipIf(!hasOpenssl)('gokv-cli over TLS', () => {
  let dir = '';
  let server: FakeServer | undefined;
  const file = (name: string) => join(dir, name);
  const start = async (cert: string, requireClientCert: boolean) => {
    const creds = grpc.ServerCredentials.createSsl(
      readFileSync(file('ca.crt')),
      [{ private_key: readFileSync(file(`${cert}.key`)), cert_chain: readFileSync(file(`${cert}.crt`)) }],
      requireClientCert,
    );
    server = await startFakeServer({ answer: () => ({ reply: pack('PONG') }), credentials: creds });
    return `localhost:${server.port}`;
  };
  const ping = async (uri: string, flags: string[]) => {
    const io = captureIo();
    const code = await runCli(['--uri', uri, '--timeout', '3000', ...flags, 'run', 'PING'], io);
    return { code, out: io.out(), err: io.err() };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gokv-cli-tls-'));
    makeCerts(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('talks to a server whose certificate the CA signed', async () => {
    const uri = await start('server', false);
    expect(await ping(uri, ['--ca', file('ca.crt')])).toMatchObject({ code: EXIT.ok, out: 'PONG\n' });
  });

  it('says "certificate signed by unknown authority" for another CA, without retrying', async () => {
    const uri = await start('server', false);
    const { code, err } = await ping(uri, ['--ca', file('other-ca.crt')]);
    expect(code).toBe(EXIT.connection);
    // A diagnosed TLS error ends the call at once (never retryable), so the message is the proof.
    expect(err).toMatch(/^\(error\) TLS error talking to localhost:\d+: certificate signed by unknown authority .*\(.+\)\n$/);
  });

  it('names the host when the certificate is for another name', async () => {
    const uri = await start('elsewhere', false);
    const { code, err } = await ping(uri, ['--ca', file('ca.crt')]);
    expect(code).toBe(EXIT.connection);
    expect(err).toContain("the server's certificate is not valid for localhost");
  });

  it('suggests --cert/--key when the server requires a client certificate', async () => {
    const uri = await start('server', true);
    const { code, err } = await ping(uri, ['--ca', file('ca.crt')]);
    expect(code).toBe(EXIT.connection);
    expect(err).toMatch(/pass --cert and --key/);
  });

  it('presents the client certificate given with --cert and --key', async () => {
    const uri = await start('server', true);
    const flags = ['--ca', file('ca.crt'), '--cert', file('client.crt'), '--key', file('client.key')];
    expect(await ping(uri, flags)).toMatchObject({ code: EXIT.ok, out: 'PONG\n' });
  });

  it.each([
    ['an encrypted key', 'client.enc.key', 'client.crt', 'the --key file is encrypted; gokv-cli needs an unencrypted PEM key'],
    ["another certificate's key", 'server.key', 'client.crt', 'the --key file does not match the certificate in --cert'],
    ['a certificate as the key', 'client.crt', 'client.crt', 'the --key file holds no private key gokv-cli can read'],
  ])('refuses %s with a usage error saying so in the flags\' terms', async (_name, key, cert, says) => {
    execFileSync('openssl', ['pkey', '-in', 'client.key', '-aes256', '-passout', 'pass:secret', '-out', 'client.enc.key'], { cwd: dir, stdio: 'ignore' });
    const { code, err } = await ping('localhost:1', ['--ca', file('ca.crt'), '--cert', file(cert), '--key', file(key)]);
    expect(code).toBe(EXIT.usage);
    expect(err).toContain(`gokv-cli: invalid TLS files: ${says}`);
  });

  it('reads the TLS files from the GOKV_CLIENT_* variables', async () => {
    const uri = await start('server', true);
    const io = captureIo({
      env: { GOKV_CLIENT_URI: uri, GOKV_CLIENT_CA: file('ca.crt'), GOKV_CLIENT_CERT: file('client.crt'), GOKV_CLIENT_KEY: file('client.key') },
    });
    expect(await runCli(['run', 'PING'], io)).toBe(EXIT.ok);
  });
});
