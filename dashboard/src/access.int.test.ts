/**
 * The access rule on a real server: on loopback the dashboard is open; listening beyond it
 * (0.0.0.0) it needs the admin token unless `public: true`, and with no admin token configured
 * it is closed. The page itself is served locked (no data in it), and the browser view works once
 * the token is given (the stream then goes over fetch with the bearer header).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@plugboard/core/testing';
import { launch, watchedPage } from './__fixtures__/browser.js';
import { ADMIN_TOKEN, startServer } from './__fixtures__/server.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('who may read the dashboard', () => {
  it('beyond loopback, the data needs the admin token and the page is served locked; with the token the browser view is live', async () => {
    const server = await startServer({ databaseUrl: db.url, host: '0.0.0.0', plugins: { metrics: {}, dashboard: {} } });
    const url = `http://127.0.0.1:${server.port}`;
    try {
      const page = await fetch(`${url}/dashboard`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('data-locked="true"');
      expect(html).not.toContain('metrics.reader');

      const missing = await fetch(`${url}/dashboard/api/state`);
      expect(missing.status).toBe(401);
      expect((await missing.json()).error.message).toBe(
        "The server listens on '0.0.0.0', beyond the loopback address, so the dashboard needs the admin token: send 'Authorization: Bearer <token>' (the page asks for it).",
      );
      const wrong = await fetch(`${url}/dashboard/stream`, { headers: bearer('wrong-token-wrong-token') });
      expect(wrong.status).toBe(401);
      expect((await wrong.json()).error.code).toBe('invalid_token');
      const ok = await fetch(`${url}/dashboard/api/state`, { headers: bearer(ADMIN_TOKEN) });
      expect(ok.status).toBe(200);
      expect((await ok.json()).plugins.map((p: { name: string }) => p.name)).toEqual(['metrics', 'dashboard']);
      // Assets are code, not data: served to anyone.
      expect((await fetch(`${url}/dashboard/assets/dashboard.js`)).status).toBe(200);

      const browser = await launch();
      try {
        const w = await watchedPage(browser, { width: 1280, height: 900 });
        await w.page.goto(`${url}/dashboard`);
        await expect.poll(() => w.page.locator('#message').textContent()).toContain('needs the admin token');
        expect(await w.page.locator('[data-chart][data-drawn="true"]').count()).toBe(0);
        await w.page.fill('#token', ADMIN_TOKEN);
        await w.page.click('#token-form button[type="submit"]');
        await w.page.waitForSelector('[data-chart="cpu"][data-drawn="true"]');
        await expect.poll(() => w.page.locator('#conn').textContent(), { timeout: 10_000 }).toBe('live');
        const tick = Number(await w.page.locator('body').getAttribute('data-last-tick'));
        await expect.poll(async () => Number(await w.page.locator('body').getAttribute('data-last-tick')), { timeout: 10_000 }).toBeGreaterThan(tick);
        await expect.poll(() => w.page.locator('[data-section="plugins"] td.name', { hasText: /^metrics$/ }).count()).toBe(1);
        expect(await w.cspViolations()).toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      await server.close();
    }
  }, 120_000);

  it('with public: true it is open beyond loopback; with no admin token configured and not public, it is closed and says what to set', async () => {
    const open = await startServer({ databaseUrl: db.url, host: '0.0.0.0', plugins: { dashboard: { public: true } } });
    try {
      const res = await fetch(`http://127.0.0.1:${open.port}/dashboard/api/state`);
      expect(res.status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${open.port}/dashboard`)).text()).toContain('data-locked="false"');
    } finally {
      await open.close();
    }
    const closed = await startServer({ databaseUrl: db.url, host: '0.0.0.0', adminToken: '', plugins: { dashboard: {} } });
    try {
      const res = await fetch(`http://127.0.0.1:${closed.port}/dashboard/api/state`, { headers: bearer(ADMIN_TOKEN) });
      expect(res.status).toBe(403);
      expect((await res.json()).error.message).toBe(
        "The server listens on '0.0.0.0', beyond the loopback address, and no admin token is configured, so the dashboard is closed. Set server.adminToken, or plugins.dashboard.public: true to show it to anyone who can reach the server.",
      );
    } finally {
      await closed.close();
    }
  }, 120_000);

  it('on loopback it is open without a token, and the page carries the data', async () => {
    const server = await startServer({ databaseUrl: db.url, plugins: { dashboard: {} } });
    try {
      expect((await fetch(`${server.url}/dashboard/api/state`)).status).toBe(200);
      const html = await (await fetch(`${server.url}/dashboard`)).text();
      expect(html).toContain('data-locked="false"');
      expect(html).toContain('No charts: the &#39;metrics&#39; plugin is not in the config.');
    } finally {
      await server.close();
    }
  }, 60_000);
});
