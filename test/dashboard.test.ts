// The dashboard end to end: a three-node cluster in this process, the page in Debian's headless
// Chromium driven by playwright-core. Skipped when /usr/bin/chromium is absent (.ci/run installs it).
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../internal/log/index.js';
import { createApp, type MemberFigures } from '../internal/rest/index.js';
import { FakeService } from '../internal/rest/testing/fake-service.js';
import { serve, type Served } from '../internal/rest/testing/serve.js';
import { createHasher, Ring } from '../internal/ring/index.js';
import { startCluster, type InProcessCluster } from './helpers/in-process-cluster.js';

const CHROMIUM = '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling out, which a closed network refuses.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// The README's picture is refreshed only when asked (GOKV_UPDATE_SCREENSHOT=1), so a test run
// leaves the checkout unchanged; otherwise the screenshot still gets taken, into a scratch file.
const DOC_SCREENSHOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'img', 'dashboard.png');
// Slower than testConfig's, so a browser starting on a busy machine causes no false suspicion;
// a dead node is still declared within a few seconds.
const TIMINGS = { heartbeatIntervalMs: 100, suspectAfterMs: 1_000, deadAfterMs: 2_000 };
const DEAD_WITHIN_MS = 10 * TIMINGS.deadAfterMs;
const VNODES = 256;
const hasher = await createHasher();

describe.skipIf(!existsSync(CHROMIUM))('the dashboard in headless Chromium', () => {
  let profile: string;
  let context: BrowserContext;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'gokv-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 860 },
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function open(url: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    await page.goto(url);
    return page;
  }

  const statusOf = (page: Page, id: string) => page.locator(`#members tr[data-member="${id}"] [data-status]`).getAttribute('data-status');
  const lookupDetail = (page: Page, term: string) => page.locator(`#lookup-result dd[data-term="${term}"]`).textContent();

  describe('on a three-node cluster', () => {
    let cluster: InProcessCluster;
    let page: Page;
    const owners = (ids: string[], key: string) => Ring.fromMembers(ids, VNODES, hasher.textPosition).owners(hasher.keyPosition(key), 2);

    beforeAll(async () => {
      cluster = await startCluster(3, { cluster: { vNodeCount: VNODES, replicas: 1 }, messaging: TIMINGS });
      for (let i = 0; i < 60; i++) await cluster.clients[i % 3]!.run('HSET', `user:${i}`, 'name', `secret-${i}`);
      await cluster.clients[0]!.run('EXPIRE', 'user:7', '1h');
      page = await open(`http://${cluster.nodes[0]!.addresses.rest}/`);
    });

    afterAll(async () => {
      await page?.close();
      await cluster?.stop();
    });

    it('shows three members alive, with their own figures', async () => {
      await expect.poll(() => page.locator('#members [data-status="alive"]').count(), { timeout: 10_000 }).toBe(3);
      for (const id of ['node1', 'node2', 'node3']) expect(await statusOf(page, id)).toBe('alive');
      // Keys per member come from each member itself (NodeStats), not from node1's store.
      await expect
        .poll(() => page.locator('#members td[data-figure="keys"]').allTextContents(), { timeout: 10_000 })
        .toEqual(cluster.nodes.map((n) => String(n.store.size)));
      expect(await page.locator('#members tr[data-member="node1"] .tag').textContent()).toBe('this node');
    });

    it('draws the ring with a labelled share per member and a tick per vnode', async () => {
      await expect.poll(() => page.locator('#ring .wedge-label').allTextContents(), { timeout: 10_000 }).toEqual(['node1', 'node2', 'node3']);
      expect(await page.locator('#ring .ticks line').count()).toBe(3 * VNODES);
      expect(await page.locator('#ring title').textContent()).toMatch(/^Hash ring with 3 members and 256 vnodes each: node1 leads \d+\.\d%/);
      expect(await page.locator('#ring-legend li').allTextContents()).toEqual([
        expect.stringMatching(/^node1: leads \d+\.\d% · 256 vnodes$/),
        expect.stringMatching(/^node2: /),
        expect.stringMatching(/^node3: /),
      ]);
    });

    it('looks a key up from the keyboard and shows its owners, type and TTL, never its value', async () => {
      const key = 'user:7';
      const [leader, replica] = owners(['node1', 'node2', 'node3'], key);
      await page.keyboard.press('Tab'); // the lookup box is the page's first stop
      expect(await page.locator('#lookup-key:focus').count()).toBe(1);
      await page.keyboard.type(key);
      await page.keyboard.press('Enter');
      await expect.poll(() => lookupDetail(page, 'leader')).toBe(`${leader} (alive)`);
      expect(await lookupDetail(page, 'replicas')).toBe(`${replica} (alive)`);
      expect(await lookupDetail(page, 'type')).toBe('hash');
      expect(await lookupDetail(page, 'ttl')).toMatch(/^59 min \d+ s$/);
      expect(await page.locator('#ring .key-marker').count()).toBe(1);
      expect(await page.locator('body').textContent()).not.toContain('secret-');
    });

    it('turns a node that stops abruptly dead, and looks keys up on the ring that is left', async () => {
      await cluster.nodes[2]!.stop({ leave: false });
      await expect.poll(() => statusOf(page, 'node3'), { timeout: DEAD_WITHIN_MS, interval: 200 }).toBe('dead');
      expect(await page.locator('#members tr[data-member="node3"] td[data-figure="keys"]').textContent()).toBe('–');
      await expect.poll(() => page.locator('#ring .wedge-label').allTextContents(), { timeout: 10_000 }).toEqual(['node1', 'node2']);

      const key = 'user:12';
      const [leader, replica] = owners(['node1', 'node2'], key);
      await page.getByRole('textbox', { name: 'Key' }).fill(key);
      await page.getByRole('button', { name: 'Look up' }).click();
      await expect.poll(() => lookupDetail(page, 'leader')).toBe(`${leader} (alive)`);
      expect(await lookupDetail(page, 'replicas')).toBe(`${replica} (alive)`);
      expect(await page.locator('#summary').textContent()).toMatch(/^Answered by node1 · 3 members \(2 alive, 1 dead\)/);

      const screenshot = process.env.GOKV_UPDATE_SCREENSHOT === '1' ? DOC_SCREENSHOT : join(profile, 'dashboard.png');
      mkdirSync(dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);
      expect(pageErrors).toEqual([]);
    });
  });

  describe('with a hand-off running (a node with fake parts)', () => {
    let served: Served;
    let page: Page;

    beforeAll(async () => {
      const service = new FakeService();
      const figures = (id: string, handOff: MemberFigures['handOff']): MemberFigures => ({
        id,
        keys: 1200,
        memoryUsedBytes: 96 * 1024 ** 2,
        tombstoneBytes: 3 * 1024 ** 2,
        maxMemoryBytes: 384 * 1024 ** 2,
        opsPerSec: 850,
        p99LatencyMs: 1.4,
        eventLoopDelayMs: 0.3,
        uptimeMs: 3_600_000,
        handOff,
      });
      const app = createApp(
        {
          service,
          ready: () => true,
          node: () => ({ id: 'a', keys: 1200, memoryUsedBytes: 0, maxMemoryBytes: 0 }),
          metrics: { contentType: 'text/plain', exposition: async () => '' },
          log: silentLogger(),
          dashboard: {
            figures: async () =>
              new Map([
                ['a', figures('a', { keysPlanned: 4000, keysSent: 1000, bytesPlanned: 8 * 1024 ** 2, bytesSent: 2 * 1024 ** 2, elapsedMs: 5000 })],
                ['b', figures('b', null)],
              ]),
            ring: () => ({ version: 3, vnodeCount: 1, replicas: 1, members: [{ id: 'a', share: 1, vnodes: [0] }] }),
          },
        },
        { maxBodyBytes: 4096, maxArgs: 8 },
      );
      served = await serve(app);
      page = await open(`${served.url}/`);
    });

    afterAll(async () => {
      await page?.close();
      await served?.close();
    });

    it('shows a progress bar with the amounts moved, the rate and the time left', async () => {
      const bar = page.getByRole('progressbar', { name: 'Hand-off from a' });
      await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 10_000 }).toBe('25');
      expect(await page.locator('#handoffs .note').textContent()).toBe('1,000 of 4,000 keys · 2.0 MiB of 8.0 MiB · 410 KiB/s · about 15 s left');
      expect(await page.locator('#members tr[data-member="a"] .memory-cell').textContent()).toBe('96 MiB of 384 MiB (25%), 3.0 MiB of it tombstones');
      expect(await statusOf(page, 'b')).toBe('suspect');
      expect(pageErrors).toEqual([]);
    });
  });
});
