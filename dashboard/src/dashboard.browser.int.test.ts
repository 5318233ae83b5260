/**
 * The dashboard in Debian's chromium against a real `plugboard start` with conversations,
 * metrics, a writer decorator and the dashboard: load without console errors or CSP violations,
 * charts that draw and move with real traffic, markup from data shown as text, disable/enable
 * from the page with and without the token, a path prefix behind a proxy, a server restart, and
 * screenshots at 1280 px and 390 px.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@plugboard/core/testing';
import { HOSTILE } from './__fixtures__/audit-writer/index.js';
import { launch, watchedPage } from './__fixtures__/browser.js';
import { startProxy } from './__fixtures__/proxy.js';
import { ADMIN_TOKEN, freePort, startServer, type DashboardServer, type ServerSpec } from './__fixtures__/server.js';
import { traffic } from './__fixtures__/traffic.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const PATHS = ['/api/users/1', '/api/users/2/conversations', '/api/analytics/models', '/api/users/not-a-number', '/healthz'];
const measurements: Record<string, unknown> = {};

let db: TestDatabase;
let server: DashboardServer;
let spec: ServerSpec;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  db = await createTestDatabase();
  spec = {
    databaseUrl: db.url,
    port: await freePort(),
    plugins: { conversations: {}, metrics: {}, 'audit-writer': {}, dashboard: {} },
  };
  server = await startServer(spec);
  browser = await launch();
}, 120_000);

afterAll(async () => {
  writeFileSync(`${ARTIFACTS}measurements.json`, `${JSON.stringify(measurements, null, 2)}\n`);
  process.stdout.write(`dashboard measurements ${JSON.stringify(measurements)}\n`);
  await browser?.close();
  await server?.close();
  await db?.close();
}, 60_000);

const number = (text: string | null) => Number.parseFloat((text ?? '').replace(/[^0-9.eE+-]/g, ''));

async function pluginState(page: Page, name: string): Promise<string> {
  const row = page.locator('[data-section="plugins"] tr', { has: page.locator('td.name', { hasText: new RegExp(`^${name}$`) }) });
  return (await row.locator('td.state').textContent()) ?? '';
}

describe('the dashboard in chromium', () => {
  it('loads with no console errors and no CSP violations, and its charts draw and move as real traffic flows', async () => {
    const w = await watchedPage(browser, { width: 1280, height: 900 });
    const cdp = await w.context.newCDPSession(w.page);
    await cdp.send('Network.enable');
    let transferred = 0;
    cdp.on('Network.loadingFinished', (e) => {
      transferred += e.encodedDataLength;
    });
    const load = traffic(server.url, PATHS);
    try {
      await w.page.goto(`${server.url}/dashboard`);
      await w.page.waitForSelector('[data-chart="traffic"][data-drawn="true"]');
      const firstChartMs = await w.page.evaluate(() => performance.getEntriesByName('first-chart')[0]?.startTime);
      await w.page.waitForLoadState('networkidle').catch(() => undefined);
      measurements.firstLoadBytes = transferred;
      measurements.timeToFirstChartMs = firstChartMs === undefined ? undefined : Math.round(firstChartMs);
      expect(firstChartMs).toBeGreaterThan(0);
      await expect.poll(() => w.page.locator('#conn').textContent(), { timeout: 10_000 }).toBe('live');

      // Real requests show up as requests per second, and new samples keep arriving.
      await expect
        .poll(async () => number(await w.page.locator('[data-series="http.requests_per_s"]').textContent()), { timeout: 20_000 })
        .toBeGreaterThan(0);
      const points = Number(await w.page.locator('[data-chart="traffic"]').getAttribute('data-points'));
      const last = Number(await w.page.locator('[data-chart="traffic"]').getAttribute('data-last'));
      await expect
        .poll(async () => Number(await w.page.locator('[data-chart="traffic"]').getAttribute('data-last')), { timeout: 10_000 })
        .toBeGreaterThan(last);
      expect(Number(await w.page.locator('[data-chart="traffic"]').getAttribute('data-points'))).toBeGreaterThanOrEqual(points);
      // uPlot drew into a canvas for every chart.
      expect(await w.page.locator('[data-chart] canvas').count()).toBeGreaterThanOrEqual(9);

      expect(w.consoleErrors).toEqual([]);
      expect(await w.cspViolations()).toEqual([]);
    } finally {
      await load.stop();
      await w.context.close();
    }
  }, 90_000);

  it('shows markup from data (a plugin description) as text, never as HTML', async () => {
    const w = await watchedPage(browser, { width: 1280, height: 900 });
    try {
      await w.page.goto(`${server.url}/dashboard`);
      // As served (no JavaScript needed) and as the client renders it from the stream.
      const served = await (await fetch(`${server.url}/dashboard`)).text();
      expect(served).not.toContain(HOSTILE);
      expect(served).toContain('&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;');
      await expect.poll(() => w.page.locator('#conn').textContent(), { timeout: 10_000 }).toBe('live');
      const cell = w.page.locator('[data-section="plugins"] td', { hasText: 'onerror' });
      expect(await cell.textContent()).toBe(HOSTILE);
      expect(await w.page.locator('main img').count()).toBe(0);
      expect(await w.page.locator('main script').count()).toBe(0);
      expect(await w.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      expect(await w.cspViolations()).toEqual([]);
    } finally {
      await w.context.close();
    }
  }, 60_000);

  it('a click without the token fails with a message; with it, disabling a plugin changes its state and the services panel shows the swap', async () => {
    const w = await watchedPage(browser, { width: 1280, height: 900 });
    try {
      await w.page.goto(`${server.url}/dashboard`);
      await expect.poll(() => w.page.locator('#conn').textContent(), { timeout: 10_000 }).toBe('live');
      const writerRow = w.page.locator('[data-section="services"] tr', { has: w.page.locator('td.name', { hasText: /^conversations\.writer$/ }) });
      expect(await writerRow.locator('td').nth(1).textContent()).toBe('audit-writer (ranking 10)');

      const disable = w.page.locator('button[data-action="disable"][data-arg="audit-writer"]');
      await disable.click();
      await expect.poll(() => w.page.locator('#message').textContent()).toContain('needs the admin token');
      expect(await w.page.locator('#message').isVisible()).toBe(true);
      const before = await (await fetch(`${server.url}/admin/plugins`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
      expect(before.plugins.find((p: { name: string }) => p.name === 'audit-writer').state).toBe('started');

      // A wrong token: the admin API refuses, and the page says why.
      await w.page.fill('#token', 'not-the-token-at-all-000');
      await w.page.click('#token-form button[type="submit"]');
      await disable.click();
      await expect.poll(() => w.page.locator('#message').textContent()).toContain('does not match');
      expect(await pluginState(w.page, 'audit-writer')).toBe('started');

      await w.page.fill('#token', ADMIN_TOKEN);
      await w.page.click('#token-form button[type="submit"]');
      expect(await w.page.evaluate(() => sessionStorage.getItem('plugboard.adminToken'))).toBe(ADMIN_TOKEN);
      await disable.click();
      await expect.poll(() => pluginState(w.page, 'audit-writer'), { timeout: 15_000 }).not.toBe('started');
      await expect.poll(() => writerRow.locator('td').nth(1).textContent(), { timeout: 10_000 }).toBe('conversations (ranking 0)');
      const swap = w.page.locator('[data-section="services"] tr', { hasText: 'audit-writer → conversations' });
      expect(await swap.count()).toBeGreaterThanOrEqual(1);

      await w.page.locator('button[data-action="enable"][data-arg="audit-writer"]').click();
      await expect.poll(() => pluginState(w.page, 'audit-writer'), { timeout: 15_000 }).toBe('started');
      await expect.poll(() => writerRow.locator('td').nth(1).textContent(), { timeout: 10_000 }).toBe('audit-writer (ranking 10)');

      // The metrics plugin turned off elsewhere: the charts panel says so, and its button turns it on again.
      const off = await fetch(`${server.url}/admin/plugins/metrics/disable`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(off.status).toBe(200);
      const note = w.page.locator('#panel-charts > .unavailable[data-plugin="metrics"]');
      await expect.poll(() => note.locator('p').textContent(), { timeout: 15_000 }).toBe(
        "No charts: the 'metrics' plugin is disabled. Set 'plugins.metrics.enabled: true' in the config or press Enable.",
      );
      await note.locator('button[data-action="enable"]').click();
      await expect.poll(() => pluginState(w.page, 'metrics'), { timeout: 15_000 }).toBe('started');
      await expect.poll(() => note.count(), { timeout: 15_000 }).toBe(0);
    } finally {
      await w.context.close();
    }
  }, 90_000);

  it('works under a path prefix behind a reverse proxy', async () => {
    const proxy = await startProxy(server.url, '/prefix');
    const w = await watchedPage(browser, { width: 1280, height: 900 });
    try {
      await w.page.goto(`${proxy.url}/dashboard`);
      await w.page.waitForSelector('[data-chart="traffic"][data-drawn="true"]');
      await expect.poll(() => w.page.locator('#conn').textContent(), { timeout: 10_000 }).toBe('live');
      await w.page.fill('#token', ADMIN_TOKEN);
      await w.page.click('#token-form button[type="submit"]');
      await w.page.locator('button[data-action="disable"][data-arg="audit-writer"]').click();
      await expect.poll(() => pluginState(w.page, 'audit-writer'), { timeout: 15_000 }).not.toBe('started');
      await w.page.locator('button[data-action="enable"][data-arg="audit-writer"]').click();
      await expect.poll(() => pluginState(w.page, 'audit-writer'), { timeout: 15_000 }).toBe('started');
      expect(proxy.strays).toEqual([]);
      expect(w.requests.filter((u) => !u.startsWith(`${proxy.url}/`))).toEqual([]);
      expect(w.requests.some((u) => u.startsWith(`${proxy.url}/dashboard/stream`))).toBe(true);
      expect(w.consoleErrors).toEqual([]);
      expect(await w.cspViolations()).toEqual([]);
    } finally {
      await w.context.close();
      await proxy.close();
    }
  }, 90_000);

  it('takes full-page screenshots at 1280 px and 390 px, light and dark', async () => {
    const load = traffic(server.url, PATHS, 2);
    try {
      for (const [width, height] of [
        [1280, 900],
        [390, 844],
      ] as const) {
        for (const scheme of ['light', 'dark'] as const) {
          const w = await watchedPage(browser, { width, height }, scheme);
          await w.page.goto(`${server.url}/dashboard`);
          await w.page.waitForSelector('[data-chart="latency"][data-drawn="true"]');
          await expect.poll(() => w.page.locator('#conn').textContent(), { timeout: 10_000 }).toBe('live');
          // Nothing sticks out sideways on a phone.
          const overflow = await w.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          expect(overflow).toBeLessThanOrEqual(0);
          await w.page.screenshot({ path: `${ARTIFACTS}dashboard-${width}-${scheme}.png`, fullPage: true });
          expect(w.consoleErrors).toEqual([]);
          await w.context.close();
        }
      }
    } finally {
      await load.stop();
    }
  }, 120_000);

  it('survives a server restart and resumes the stream where it left off', async () => {
    const w = await watchedPage(browser, { width: 1280, height: 900 });
    const resumedFrom: string[] = [];
    const seen: Promise<void>[] = [];
    w.page.on('request', (r) => {
      if (!r.url().includes('/dashboard/stream')) return;
      // allHeaders: the headers as sent, Last-Event-ID included (headers() shows only the page's own).
      seen.push(
        r.allHeaders().then((headers) => {
          const id = headers['last-event-id'] ?? new URL(r.url()).searchParams.get('lastEventId');
          if (id) resumedFrom.push(id);
        }),
      );
    });
    try {
      await w.page.goto(`${server.url}/dashboard`);
      await expect.poll(() => w.page.locator('#conn').textContent(), { timeout: 10_000 }).toBe('live');
      await w.page.evaluate(() => {
        (window as unknown as { __samePage: boolean }).__samePage = true;
      });
      const before = Number(await w.page.locator('body').getAttribute('data-last-tick'));
      await server.close();
      await expect.poll(() => w.page.locator('#conn').textContent(), { timeout: 10_000 }).toBe('reconnecting…');
      server = await startServer(spec);
      await expect.poll(() => w.page.locator('#conn').textContent(), { timeout: 30_000 }).toBe('live');
      await expect
        .poll(async () => Number(await w.page.locator('body').getAttribute('data-last-tick')), { timeout: 10_000 })
        .toBeGreaterThan(before);
      expect(await w.page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage)).toBe(true);
      // It reconnected with the id of the last event it had (Last-Event-ID, or the query when it reopened the EventSource).
      await Promise.all(seen);
      expect(resumedFrom.length).toBeGreaterThan(0);
      expect(Number(resumedFrom[0])).toBeGreaterThanOrEqual(before);
    } finally {
      await w.context.close();
    }
  }, 120_000);
});
