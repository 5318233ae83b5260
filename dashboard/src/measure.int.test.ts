/**
 * What the dashboard costs, measured on real servers and written to artifacts/measurements-*.json:
 * the size of a full hour of history as the page downloads it, the stream's bytes per second
 * under traffic, and the memory the metrics plugin's hour of history takes in the process. The
 * assertions are on sizes (a tick carries one sample per series, never the history), not on time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import metrics, { MAIN_SERIES } from '@plugboard/plugin-metrics';
import { createTestDatabase, startTestKernel, type TestDatabase } from '@plugboard/core/testing';
import { startServer, type DashboardServer } from './__fixtures__/server.js';
import { traffic } from './__fixtures__/traffic.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const SAMPLES = 3600;

let db: TestDatabase;
const measured: Record<string, number> = {};

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  db = await createTestDatabase();
}, 60_000);

afterAll(async () => {
  writeFileSync(`${ARTIFACTS}measurements-stream.json`, `${JSON.stringify(measured, null, 2)}\n`);
  process.stdout.write(`dashboard stream and history measurements ${JSON.stringify(measured)}\n`);
  await db?.close();
});

/** The body size as sent (gzip when asked for), and its decoded size. */
function download(url: string, gzip: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
      let size = 0;
      res.on('data', (c: Buffer) => (size += c.length));
      res.on('end', () => resolve(size));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('what the dashboard costs', () => {
  let server: DashboardServer;

  beforeAll(async () => {
    // Samples every 10 ms, so the history holds 3600 samples (an hour at 1 s) after 36 s.
    server = await startServer({
      databaseUrl: db.url,
      plugins: { conversations: {}, metrics: { history: { interval: '10ms', length: '36s' } }, dashboard: {} },
    });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  }, 30_000);

  it('the history downloads as one JSON, gzipped; its size per sample gives that of an hour', async () => {
    const load = traffic(server.url, ['/healthz', '/api/users/1'], 2);
    try {
      const length = async () => ((await (await fetch(`${server.url}/dashboard/api/history`)).json()) as { t: number[] }).t.length;
      // The sampler does not keep up with 10 ms on a busy machine; half the ring is plenty to scale from.
      await expect.poll(length, { timeout: 90_000, interval: 2000 }).toBeGreaterThanOrEqual(SAMPLES / 2);
      const body = (await (await fetch(`${server.url}/dashboard/api/history`)).json()) as { t: number[]; series: (number | null)[][] };
      const n = body.t.length;
      expect(body.series).toHaveLength(MAIN_SERIES.length);
      expect(body.series.every((s) => s.length === n)).toBe(true);
      const raw = await download(`${server.url}/dashboard/api/history`, false);
      const gzip = await download(`${server.url}/dashboard/api/history`, true);
      expect(gzip).toBeLessThan(raw);
      measured.historySamplesMeasured = n;
      measured.historyJsonBytesPerHour = Math.round((raw / n) * SAMPLES);
      measured.historyGzipBytesPerHour = Math.round((gzip / n) * SAMPLES);
    } finally {
      await load.stop();
    }
  }, 120_000);

  it('the stream sends deltas: each tick is one sample per series, and a few kB a second at most', async () => {
    const load = traffic(server.url, ['/healthz', '/api/users/1', '/api/analytics/models'], 2);
    const controller = new AbortController();
    try {
      const res = await fetch(`${server.url}/dashboard/stream`, { signal: controller.signal });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      // The first event is the whole state; count from the second second on.
      while (!text.includes('event: tick')) text += (await reader.read()).value ?? '';
      const start = performance.now();
      const first = new TextEncoder().encode(text).length;
      let bytes = 0;
      let rest = '';
      while (performance.now() - start < 10_000) {
        const { value, done } = await reader.read();
        if (done) break;
        bytes += new TextEncoder().encode(value).length;
        rest += value;
      }
      const seconds = (performance.now() - start) / 1000;
      controller.abort();
      const events = rest.split('\n\n').filter((e) => e.includes('data:'));
      const ticks = events.filter((e) => e.startsWith('event: tick'));
      expect(ticks.length).toBeGreaterThanOrEqual(5);
      for (const tick of ticks) {
        expect(tick).toMatch(/^event: tick\ndata: \{"t":\d+,"v":\[[^\]]*\]\}\nid: \d+$/);
        expect(new TextEncoder().encode(tick).length).toBeLessThan(600);
      }
      measured.streamFirstEventBytes = first;
      measured.streamBytesPerSecond = Math.round(bytes / seconds);
      measured.streamTickBytes = Math.round(ticks.reduce((n, t) => n + t.length, 0) / ticks.length);
      measured.streamEventsPerSecond = Number((events.length / seconds).toFixed(2));
    } finally {
      controller.abort();
      await load.stop();
    }
  }, 60_000);
});

describe('the memory of an hour of history', () => {
  it('is what the metrics plugin allocates for it: its ring buffers, measured as array-buffer memory', async () => {
    // Collected before each reading, so buffers other code let go of in between (the database
    // driver's, the SDK's) are not counted against the history: only what is still held.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const arrayBuffers = async (length: string) => {
      gc();
      const before = process.memoryUsage().arrayBuffers;
      const app = await startTestKernel({ plugins: [metrics], database: db, config: { metrics: { history: { length } } } });
      gc();
      const after = process.memoryUsage().arrayBuffers;
      await app.stop();
      return after - before;
    };
    await arrayBuffers('1s'); // warm up: the SDK's first allocations
    const second = await arrayBuffers('1s');
    const hour = await arrayBuffers('1h');
    measured.historyHourBytes = hour - second;
    // (20 series + times) x 3600 samples x 8 bytes, within what other allocations add.
    expect(measured.historyHourBytes).toBeGreaterThan(21 * 3599 * 8 * 0.9);
    expect(measured.historyHourBytes).toBeLessThan(21 * 3599 * 8 * 1.5);
  }, 60_000);
});
