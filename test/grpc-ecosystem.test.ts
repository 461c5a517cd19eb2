import { request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testConfig, type Config, type DeepPartial } from '../internal/config/index.js';
import { silentLogger } from '../internal/log/index.js';
import { parseExposition } from '../internal/metrics/testing/parse-exposition.js';
import { startNode, type GokvNode } from '../internal/node/index.js';
import { TestClient } from './helpers/client.js';
import { RawResp } from './helpers/raw-resp.js';

// Generic clients built from the standard protos only, as grpcurl or a load balancer would be.
type Unary = (req: object, cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void) => void;
type HealthClient = grpc.Client & { Check: Unary };
type ReflectionClient = grpc.Client & { ServerReflectionInfo(): grpc.ClientDuplexStream<object, Record<string, unknown>> };

const loaderOptions = { keepCase: false, longs: String, enums: String, defaults: true };
const healthPkg = grpc.loadPackageDefinition(protoLoader.loadSync(healthProtoPath, loaderOptions)) as unknown as {
  grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } };
};
const reflectionProto = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '../proto/grpc/reflection/v1/reflection.proto');
const reflectionPkg = grpc.loadPackageDefinition(protoLoader.loadSync(reflectionProto, loaderOptions)) as unknown as {
  grpc: { reflection: { v1: { ServerReflection: grpc.ServiceClientConstructor } } };
};

const nodes: GokvNode[] = [];
const clients: grpc.Client[] = [];

async function node(id: string, addresses: DeepPartial<Config['addresses']> = {}): Promise<GokvNode> {
  const n = await startNode(testConfig({ node: { id }, addresses }), { log: silentLogger() });
  nodes.push(n);
  return n;
}

function healthClient(n: GokvNode): HealthClient {
  const c = new healthPkg.grpc.health.v1.Health(n.addresses.grpc!, grpc.credentials.createInsecure()) as unknown as HealthClient;
  clients.push(c);
  return c;
}

function check(c: HealthClient, service: string): Promise<string> {
  return new Promise((resolve, reject) =>
    c.Check({ service }, (err, res) => (err ? reject(err) : resolve(res.status as string))),
  );
}

function reflect(n: GokvNode, request: object): Promise<Record<string, unknown>> {
  const c = new reflectionPkg.grpc.reflection.v1.ServerReflection(n.addresses.grpc!, grpc.credentials.createInsecure()) as unknown as ReflectionClient;
  clients.push(c);
  return new Promise((resolve, reject) => {
    const call = c.ServerReflectionInfo();
    call.on('data', (res) => {
      resolve(res);
      call.end();
    });
    call.on('error', reject);
    call.write(request);
  });
}

let a: GokvNode;

beforeAll(async () => {
  a = await node('eco-a');
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(nodes.map((n) => n.stop({ leave: false })));
});

describe('the standard gRPC ecosystem on the external server', () => {
  it('answers grpc.health.v1 Check SERVING for the server and the API once ready', async () => {
    const c = healthClient(a);
    expect(await check(c, '')).toBe('SERVING');
    expect(await check(c, 'externalpb.ExternalServer')).toBe('SERVING');
    await expect(check(c, 'no.such.Service')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it('lists the external API through server reflection', async () => {
    const res = await reflect(a, { listServices: '*' });
    const names = (res.listServicesResponse as { service: Array<{ name: string }> }).service.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['externalpb.ExternalServer', 'grpc.health.v1.Health']));
  });

  it('describes the external API by symbol, so generic clients can call it', async () => {
    const res = await reflect(a, { fileContainingSymbol: 'externalpb.ExternalServer' });
    const files = (res.fileDescriptorResponse as { fileDescriptorProto: Buffer[] }).fileDescriptorProto;
    expect(files.length).toBeGreaterThan(0);
    expect(Buffer.concat(files).toString('latin1')).toContain('RunCommand');
  });

  it('is NOT_SERVING, and /healthz 503, while a node with seeds has not joined', async () => {
    const lonely = await node('eco-lonely', { seeds: [{ addr: '127.0.0.1:9' }] });
    expect(await check(healthClient(lonely), '')).toBe('NOT_SERVING');
    expect((await fetch(`http://${lonely.addresses.rest}/healthz`)).status).toBe(503);
  });

  it('becomes SERVING, and /healthz 200, once a node joins through its seed', async () => {
    const b = await node('eco-b', { seeds: [{ id: a.id, addr: a.addresses.internal! }] });
    const c = healthClient(b);
    await vi.waitFor(async () => expect(await check(c, 'externalpb.ExternalServer')).toBe('SERVING'), { timeout: 5_000 });
    expect((await fetch(`http://${b.addresses.rest}/healthz`)).status).toBe(200);
    // The bound REST address is gossiped: b lists a with it.
    const cluster = (await (await fetch(`http://${b.addresses.rest}/v1/cluster`)).json()) as { members: Array<{ id: string; restAddr: string }> };
    await vi.waitFor(() => expect(b.members().find((m) => m.id === a.id)?.restAddr).toBe(a.addresses.rest), { timeout: 10_000 });
    expect(cluster.members[0]).toMatchObject({ id: 'eco-b', restAddr: b.addresses.rest });
  });
});

describe('REST and metrics on a real node', () => {
  // A loaded test machine can stall the loop past suspect_after; the node then answers writes
  // with a retryable UNAVAILABLE (503) for a moment, and clients retry, as these helpers do.
  const retry = <T>(fn: () => Promise<T>) => vi.waitFor(fn, { timeout: 10_000, interval: 50 });
  const postOk = (url: string, body: object) =>
    retry(async () => {
      const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
      if (res.status === 503) throw new Error('retryable');
      return res;
    });
  const runOk = (client: TestClient, ...args: Parameters<TestClient['run']>) =>
    retry(() =>
      client.run(...args).catch((err: { code?: string }) => {
        if (err.code === 'UNAVAILABLE') throw err;
        return err;
      }),
    );

  it('serves commands over REST on the same path as gRPC and counts both', async () => {
    const rest = `http://${a.addresses.rest}`;
    const res = await postOk(`${rest}/v1/command`, { command: 'HSET', key: 'eco:1', args: ['f', 'v'] });
    expect(await res.json()).toEqual({ result: 1, encoding: 'utf8' });
    const grpcClient = new TestClient(a.addresses.grpc!);
    try {
      expect(String(((await runOk(grpcClient, 'HGETALL', 'eco:1')) as Map<string, Buffer>).get('f'))).toBe('v');
      expect(await runOk(grpcClient, 'RPUSH', 'eco:1', 'x')).toMatchObject({ code: 'WRONGTYPE' });
    } finally {
      grpcClient.close();
    }
    expect((await postOk(`${rest}/command`, { command: 'LPOP eco:1' })).status).toBe(409);

    const e = parseExposition(await (await fetch(`${rest}/metrics`)).text());
    expect(e.value('gokv_commands_total', { command: 'HSET', outcome: 'ok' })).toBe(1);
    expect(e.value('gokv_commands_total', { command: 'HGETALL', outcome: 'ok' })).toBe(1);
    expect(e.value('gokv_commands_total', { command: 'RPUSH', outcome: 'wrongtype' })).toBe(1);
    expect(e.value('gokv_commands_total', { command: 'LPOP', outcome: 'wrongtype' })).toBe(1);
    expect(e.value('gokv_command_duration_seconds_count', { command: 'HSET' })).toBeGreaterThanOrEqual(1);
    expect(e.value('gokv_keys')).toBe(a.store.size);
    expect(e.value('gokv_gossip_rounds_total')).toBeGreaterThan(0);
    expect(e.value('gokv_event_loop_delay_seconds', { stat: 'max' })).toBeGreaterThanOrEqual(0);
  });

  it('counts the commands answered beside the table, and RESP\'s own, under their names', async () => {
    const rest = `http://${a.addresses.rest}`;
    const grpcClient = new TestClient(a.addresses.grpc!);
    const resp = await RawResp.connect(Number(a.addresses.resp!.slice(a.addresses.resp!.lastIndexOf(':') + 1)));
    try {
      await runOk(grpcClient, 'DBSIZE', '');
      await postOk(`${rest}/v1/command`, { command: 'keys', key: 'eco:*' });
      expect(await resp.call(['DBSIZE'])).toMatch(/^:\d+\r\n$/);
      expect(await resp.call(['ping'])).toBe('+PONG\r\n');
      expect(await resp.call(['ECHO', 'hi'])).toBe('$2\r\nhi\r\n');
      expect(await resp.call(['ECHO'])).toBe("-ERR wrong number of arguments for 'echo' command\r\n");
      expect(await resp.call(['INFO', 'server'])).toContain('redis_version');
      expect(await resp.call(['NOSUCHCOMMAND'])).toMatch(/^-ERR unknown command/);
    } finally {
      resp.close();
      grpcClient.close();
    }
    const e = parseExposition(await (await fetch(`${rest}/metrics`)).text());
    expect(e.value('gokv_commands_total', { command: 'DBSIZE', outcome: 'ok' })).toBe(2);
    expect(e.value('gokv_commands_total', { command: 'KEYS', outcome: 'ok' })).toBe(1);
    expect(e.value('gokv_commands_total', { command: 'PING', outcome: 'ok' })).toBe(1);
    expect(e.value('gokv_commands_total', { command: 'ECHO', outcome: 'ok' })).toBe(1);
    expect(e.value('gokv_commands_total', { command: 'ECHO', outcome: 'err' })).toBe(1);
    expect(e.value('gokv_commands_total', { command: 'INFO', outcome: 'ok' })).toBe(1);
    expect(e.value('gokv_command_duration_seconds_count', { command: 'INFO' })).toBe(1);
    expect(e.value('gokv_commands_total', { command: 'unknown', outcome: 'err' })).toBe(1);
  });

  it('answers REST bound to loopback only under a Host naming this machine (DNS rebinding)', async () => {
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`http://${a.addresses.rest}/v1/command`, { method: 'POST', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end('{"command": "HGETALL", "key": "eco:1"}');
      });
    expect(await status('attacker.example')).toBe(403);
    expect(await status(a.addresses.rest!)).toBe(200);
    expect(await status('localhost')).toBe(200);
  });
});
