/**
 * Alerts, the AI models panel and the database report in chromium, against a real server with
 * conversations, metrics, alerts, db-indexes and the dashboard: a rule over the request rate
 * fires under real traffic and resolves when it stops, its annotations (which hold markup) show
 * as text, a silence is made and removed from the page, and an AI model name holding markup is
 * shown as text.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@plugboard/core/testing';
import { launch, watchedPage } from './__fixtures__/browser.js';
import { ADMIN_TOKEN, startServer, type DashboardServer } from './__fixtures__/server.js';
import { traffic } from './__fixtures__/traffic.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const SUMMARY = '<script>window.__xss=3</script> {{ $value }} requests per second';
const DESCRIPTION = '<img src=x onerror="window.__xss=4">';
const MODEL = '<img src=x onerror="window.__xss=5">';

let db: TestDatabase;
let server: DashboardServer;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  db = await createTestDatabase();
  server = await startServer({
    databaseUrl: db.url,
    plugins: {
      conversations: {},
      metrics: {},
      alerts: {
        evaluationInterval: '1s',
        keepResolvedFor: '10m',
        rules: [
          {
            name: 'TrafficBurst',
            expr: 'sum(histogram_count(rate(http.server.request.duration[5s])))',
            op: '>',
            threshold: 5,
            for: '0s',
            severity: 'warning',
            annotations: { summary: SUMMARY, description: DESCRIPTION },
          },
        ],
      },
      'db-indexes': {},
      batching: {},
      dashboard: { modelsEvery: '1s' },
    },
  });
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await db?.close();
}, 60_000);

const activeRow = '#alerts-active tr:has(td.name:text-is("TrafficBurst"))';

describe('alerts on the dashboard', () => {
  it('an alert appears when its rule fires under real traffic, can be silenced from the page, and leaves when it resolves', async () => {
    const w = await watchedPage(browser, { width: 1280, height: 900 });
    let load: ReturnType<typeof traffic> | undefined;
    try {
      await w.page.goto(`${server.url}/dashboard`);
      await expect.poll(() => w.page.locator('#conn').textContent(), { timeout: 10_000 }).toBe('live');
      expect(await w.page.locator('[data-section="alerts"] td.name', { hasText: 'TrafficBurst' }).count()).toBe(1);
      expect(await w.page.locator(activeRow).count()).toBe(0);

      load = traffic(server.url, ['/healthz', '/api/users/1'], 4);
      await expect.poll(() => w.page.locator(`${activeRow} td.state`).textContent(), { timeout: 30_000 }).toBe('firing');
      // The annotation, markup and all, is text.
      const summary = (await w.page.locator(`${activeRow} td`).nth(6).textContent()) ?? '';
      expect(summary).toMatch(/^<script>window.__xss=3<\/script> [0-9.]+ requests per second$/);
      expect(await w.page.locator('main script, main img').count()).toBe(0);
      await w.page.screenshot({ path: `${ARTIFACTS}dashboard-alert-firing-1280.png`, fullPage: true });
      expect(await w.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      // Readable without JavaScript: the served HTML lists it, escaped.
      const served = await (await fetch(`${server.url}/dashboard`)).text();
      expect(served).toContain('TrafficBurst');
      expect(served).toContain('&lt;script&gt;window.__xss=3&lt;/script&gt;');
      expect(served).not.toContain('<script>window.__xss');

      // A silence needs the token; with it, it is listed and can be removed.
      await w.page.locator(`${activeRow} button[data-action="silence"]`).click();
      await expect.poll(() => w.page.locator('#message').textContent()).toContain('needs the admin token');
      await w.page.fill('#token', ADMIN_TOKEN);
      await w.page.click('#token-form button[type="submit"]');
      await w.page.locator(`${activeRow} button[data-action="silence"]`).click();
      await expect.poll(() => w.page.locator('#message').textContent()).toContain("Silenced 'TrafficBurst'");
      const silenceRow = w.page.locator('[data-section="alerts"] tr', { hasText: 'alertname=TrafficBurst' });
      await expect.poll(() => silenceRow.count(), { timeout: 10_000 }).toBe(1);
      await silenceRow.locator('button[data-action="unsilence"]').click();
      await expect.poll(() => w.page.locator('#message').textContent()).toBe('Silence removed.');
      await expect.poll(() => silenceRow.count(), { timeout: 10_000 }).toBe(0);

      await load.stop();
      load = undefined;
      await expect.poll(() => w.page.locator(activeRow).count(), { timeout: 30_000 }).toBe(0);
      const resolved = w.page.locator('[data-section="alerts"] table:has(caption:text-is("Recently resolved")) td.name', { hasText: 'TrafficBurst' });
      expect(await resolved.count()).toBeGreaterThanOrEqual(1);
      expect(await w.cspViolations()).toEqual([]);
    } finally {
      await load?.stop();
      await w.context.close();
    }
  }, 120_000);

  it('shows an AI model name holding markup as text, the database report with its advice, and the batch queue', async () => {
    expect((await fetch(`${server.url}/api/db/report`)).status).toBe(200);
    const res = await fetch(`${server.url}/api/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: crypto.randomUUID(),
        user_id: 42,
        ai_model: MODEL,
        user_message: 'hello',
        ai_response: 'hi',
        prompt_tokens: 3,
        completion_tokens: 5,
      }),
    });
    expect(res.status).toBe(201);
    const w = await watchedPage(browser, { width: 390, height: 844 });
    try {
      await w.page.goto(`${server.url}/dashboard`);
      const cell = w.page.locator('[data-section="models"] td.name', { hasText: 'onerror' });
      await expect.poll(() => cell.textContent(), { timeout: 15_000 }).toBe(MODEL);
      expect(await w.page.locator('main img').count()).toBe(0);
      expect(await w.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      // db-indexes made a report: its findings and indexes are listed.
      expect(await w.page.locator('[data-section="report"] .unavailable').count()).toBe(0);
      await expect.poll(() => w.page.locator('[data-section="report"] caption', { hasText: 'Findings and advice' }).count(), { timeout: 10_000 }).toBe(1);
      expect(await w.page.locator('[data-section="report"] table:has(caption:text-is("Indexes")) tbody tr').count()).toBeGreaterThanOrEqual(8);
      // batching runs: its chart has no "plugin off" note, and it is conversations.writer's provider.
      expect(await w.page.locator('[data-chart="batch"] .unavailable').count()).toBe(0);
      const writer = w.page.locator('[data-section="services"] tr', { has: w.page.locator('td.name', { hasText: /^conversations\.writer$/ }) });
      expect(await writer.locator('td').nth(1).textContent()).toMatch(/^batching \(ranking \d+\)$/);
      await w.page.screenshot({ path: `${ARTIFACTS}dashboard-all-plugins-390.png`, fullPage: true });
      expect(w.consoleErrors).toEqual([]);
    } finally {
      await w.context.close();
    }
  }, 60_000);
});
