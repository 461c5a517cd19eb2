import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplyMap, Simple } from '../command/index.js';
import { silentLogger } from '../log/index.js';
import { createApp } from './app.js';
import type { DashboardSource, MemberFigures, RingView } from './dashboard-deps.js';
import type { RestCommand, RestDeps } from './deps.js';
import { handOffJson } from './hand-off-json.js';
import { FakeService } from './testing/fake-service.js';
import { serve, type Served } from './testing/serve.js';
import { unavailable } from '../errors/index.js';

const figuresOf = (id: string, extra: Partial<MemberFigures> = {}): MemberFigures => ({
  id,
  keys: 10,
  memoryUsedBytes: 4096,
  tombstoneBytes: 1024,
  maxMemoryBytes: 1 << 20,
  opsPerSec: 12.5,
  p99LatencyMs: 0.8,
  eventLoopDelayMs: 1.2,
  uptimeMs: 60_000,
  handOff: null,
  ...extra,
});

const RING: RingView = {
  version: 3,
  vnodeCount: 2,
  replicas: 1,
  members: [
    { id: 'a', share: 0.6, vnodes: [10, 3_000_000_000] },
    { id: 'b', share: 0.4, vnodes: [1_000, 2_000_000_000] },
  ],
};

/** FakeService plus an EXPLAIN that answers like router/explain.ts (key `down`: no owner reachable). */
class ExplainingService extends FakeService {
  explained: RestCommand[] = [];

  override execute(command: RestCommand) {
    if (command.name !== 'EXPLAIN') return super.execute(command);
    this.explained.push(command);
    if (command.key === 'down') throw unavailable('no owner reachable');
    return new ReplyMap([
      ['key', command.key],
      ['leader', new Simple('a')],
      ['replicas', [new Simple('b')]],
      ['type', new Simple('hash')],
      ['ttlMs', -1],
      ['holdsCopy', 1],
    ]);
  }
}

async function start(dashboard: DashboardSource | undefined) {
  const service = new ExplainingService();
  const deps: RestDeps = {
    service,
    ready: () => true,
    node: () => ({ id: 'a', keys: 10, memoryUsedBytes: 4096, maxMemoryBytes: 1 << 20 }),
    metrics: { contentType: 'text/plain', exposition: async () => '' },
    log: silentLogger(),
    ...(dashboard ? { dashboard } : {}),
  };
  return { service, served: await serve(createApp(deps, { maxBodyBytes: 4096, maxArgs: 8 })) };
}

describe('the dashboard routes', () => {
  let served: Served;
  let service: ExplainingService;
  beforeAll(async () => {
    ({ served, service } = await start({
      // `b` (suspect) did not answer its NodeStats: no figures for it.
      figures: async () =>
        new Map([
          ['a', figuresOf('a', { handOff: { keysPlanned: 1000, keysSent: 250, bytesPlanned: 0, bytesSent: 0, elapsedMs: 5000 } })],
        ]),
      ring: () => RING,
    }));
  });
  afterAll(() => served.close());

  it('serves the page at / with a strict content security policy', async () => {
    const res = await fetch(`${served.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toContain('<script type="module" src="dashboard/app.js"></script>');
    expect(html).toMatch(/<label for="lookup-key">Key<\/label>/);
  });

  it.each([
    ['app.js', /^text\/javascript/, "from './view.js'"],
    ['view.js', /^text\/javascript/, 'export function leaderArcs'],
    ['style.css', /^text\/css/, '.badge'],
  ])('serves dashboard/%s', async (file, type, content) => {
    const res = await fetch(`${served.url}/dashboard/${file}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(type);
    expect(await res.text()).toContain(content);
  });

  it.each(['view.d.ts', 'index.html', '', 'nothing.js', '..%2f..%2fpackage.json'])('answers dashboard/%s with 404', async (file) => {
    const res = await fetch(`${served.url}/dashboard/${file}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'ERR' });
  });

  it('adds each member\'s figures (null when it did not answer) and the running hand-offs to /v1/cluster', async () => {
    const body = (await (await fetch(`${served.url}/v1/cluster`)).json()) as {
      members: Array<{ id: string; figures: unknown }>;
      handOffs: unknown[];
    };
    expect(body.members.map((m) => [m.id, m.figures])).toEqual([
      ['a', { keys: 10, memoryUsedBytes: 4096, tombstoneBytes: 1024, maxMemoryBytes: 1 << 20, opsPerSec: 12.5, p99LatencyMs: 0.8, eventLoopDelayMs: 1.2, uptimeMs: 60_000 }],
      ['b', null],
    ]);
    expect(body.handOffs).toEqual([
      { member: 'a', keysPlanned: 1000, keysSent: 250, bytesPlanned: 0, bytesSent: 0, elapsedMs: 5000, fraction: 0.25, keysPerSec: 50, bytesPerSec: 0, etaMs: 15_000 },
    ]);
  });

  it('serves the ring at /v1/ring', async () => {
    const res = await fetch(`${served.url}/v1/ring`);
    expect([res.status, await res.json()]).toEqual([200, RING]);
  });

  it('answers /v1/explain with the EXPLAIN reply as JSON', async () => {
    const res = await fetch(`${served.url}/v1/explain?key=${encodeURIComponent('user:1 ✓')}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ key: 'user:1 ✓', leader: 'a', replicas: ['b'], type: 'hash', ttlMs: -1, holdsCopy: 1 });
    // The key goes to the command path as its UTF-8 bytes, as over gRPC.
    expect(service.explained.at(-1)).toEqual({ name: 'EXPLAIN', key: Buffer.from('user:1 ✓').toString('latin1'), args: [] });
  });

  it('looks up the exact bytes of a key that is not UTF-8, and shows it as base64', async () => {
    const res = await fetch(`${served.url}/v1/explain?key=%FF%00k`);
    expect(await res.json()).toEqual({ key: '/wBr', keyEncoding: 'base64', leader: 'a', replicas: ['b'], type: 'hash', ttlMs: -1, holdsCopy: 1 });
    await fetch(`${served.url}/v1/explain?key=%FE%00k`);
    // Decoded as text, both were one key: U+FFFD NUL k.
    expect(service.explained.slice(-2).map((c) => c.key)).toEqual(['\xff\x00k', '\xfe\x00k']);
  });

  it.each([
    ['no key', '', 400, 'ERR'],
    ['a malformed escape', '?key=%', 400, 'ERR'],
    ['an escape that is not hex', '?key=%zz', 400, 'ERR'],
    ['an empty key', '?key=', 400, 'ERR'],
    ['two keys', '?key=a&key=b', 400, 'ERR'],
    ['a key no owner of which is reachable', '?key=down', 503, 'UNAVAILABLE'],
  ])('answers /v1/explain with %s as %s', async (_name, query, status, code) => {
    const res = await fetch(`${served.url}/v1/explain${query}`);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ code });
  });

  it.each(['/v1/ring', '/v1/explain', '/'])('answers POST %s with 405', async (path) => {
    const res = await fetch(`${served.url}${path}`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('without a dashboard source', () => {
  let served: Served;
  beforeAll(async () => {
    ({ served } = await start(undefined));
  });
  afterAll(() => served.close());

  it('keeps /v1/cluster as it was and says the ring is not served', async () => {
    const body = (await (await fetch(`${served.url}/v1/cluster`)).json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('handOffs');
    expect((body.members as object[])[0]).not.toHaveProperty('figures');
    expect((await fetch(`${served.url}/v1/ring`)).status).toBe(503);
    expect((await fetch(`${served.url}/`)).status).toBe(200);
  });
});

describe('handOffJson', () => {
  const base = { keysPlanned: 100, keysSent: 40, bytesPlanned: 1000, bytesSent: 500, elapsedMs: 2000 };

  it.each([
    ['by bytes when bytes are planned', base, { fraction: 0.5, bytesPerSec: 250, keysPerSec: 20, etaMs: 2000 }],
    ['by keys when no bytes are planned', { ...base, bytesPlanned: 0, bytesSent: 0 }, { fraction: 0.4, etaMs: 3000 }],
    ['with no ETA before anything moved', { ...base, keysSent: 0, bytesSent: 0 }, { fraction: 0, etaMs: null }],
    ['with no rate at time zero', { ...base, elapsedMs: 0 }, { keysPerSec: 0, bytesPerSec: 0, etaMs: null }],
    ['capped at done when more was sent than planned', { ...base, bytesSent: 1500 }, { fraction: 1, etaMs: 0 }],
  ])('measures progress %s', (_name, figures, expected) => {
    expect(handOffJson('n1', figures)).toMatchObject({ member: 'n1', ...figures, ...expected });
  });
});
