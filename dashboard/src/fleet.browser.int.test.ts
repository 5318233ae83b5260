/**
 * The fleet view with a real Prometheus scraping two real app servers: the dashboard of one
 * instance draws the charts of both, read through Prometheus's query_range API by its server.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@plugboard/core/testing';
import { launch, watchedPage } from './__fixtures__/browser.js';
import { startPrometheus, type RunningPrometheus } from './__fixtures__/prometheus.js';
import { freePort, startServer, type DashboardServer } from './__fixtures__/server.js';
import { traffic } from './__fixtures__/traffic.js';
import type { FleetChart } from './fleet.js';

let db: TestDatabase;
let prometheus: RunningPrometheus;
let servers: DashboardServer[] = [];
let browser: Browser;

beforeAll(async () => {
  db = await createTestDatabase();
  const [promPort, a, b] = [await freePort(), await freePort(), await freePort()];
  prometheus = await startPrometheus(promPort, [`127.0.0.1:${a}`, `127.0.0.1:${b}`]);
  const plugins = { conversations: {}, metrics: {}, dashboard: { prometheusUrl: prometheus.url, fleetWindow: '15m' } };
  servers = await Promise.all([a, b].map((port) => startServer({ databaseUrl: db.url, port, plugins })));
  browser = await launch();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => s.close()));
  await prometheus?.stop();
  await db?.close();
}, 60_000);

describe('the fleet view', () => {
  it('draws request rates of every instance that Prometheus scrapes', async () => {
    const loads = servers.map((s) => traffic(s.url, ['/healthz', '/api/users/1'], 2));
    try {
      const fleet = async () => ((await (await fetch(`${servers[0]!.url}/dashboard/api/fleet`)).json()) as { charts: FleetChart[] }).charts;
      const withValues = (c: FleetChart | undefined) => (c?.series ?? []).filter((s) => s.values.some((v) => v !== null && v > 0)).length;
      await expect.poll(async () => withValues((await fleet()).find((c) => c.id === 'fleet-requests')), { timeout: 60_000, interval: 1000 }).toBe(2);
      const charts = await fleet();
      expect(charts.map((c) => c.error).filter(Boolean)).toEqual([]);
      expect(charts.find((c) => c.id === 'fleet-up')!.series.map((s) => s.instance)).toEqual(servers.map((s) => `127.0.0.1:${s.port}`).sort());

      const w = await watchedPage(browser, { width: 1280, height: 900 });
      try {
        await w.page.goto(`${servers[0]!.url}/dashboard`);
        await w.page.waitForSelector('[data-chart="fleet-requests"][data-instances="2"]', { timeout: 20_000 });
        expect(await w.page.locator('[data-chart="fleet-requests"] canvas').count()).toBeGreaterThan(0);
        expect(await w.page.locator('#fleet-note').textContent()).toBe('2 instances, from Prometheus.');
        // The page never talks to Prometheus itself: everything went to its own origin.
        expect(w.requests.filter((u) => !u.startsWith(servers[0]!.url))).toEqual([]);
        expect(await w.cspViolations()).toEqual([]);
        await w.page.screenshot({ path: new URL('../artifacts/dashboard-fleet-1280.png', import.meta.url).pathname, fullPage: true });
      } finally {
        await w.context.close();
      }
    } finally {
      await Promise.all(loads.map((l) => l.stop()));
    }
  }, 150_000);
});
