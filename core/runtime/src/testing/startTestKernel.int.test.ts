import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreServices, definePlugin, serviceRef } from '@plugboard/plugin-api';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestKernel } from './startTestKernel.js';
import { TestClock } from './TestClock.js';

interface Counter {
  value(): number;
}
const counterRef = serviceRef<Counter>('ticker.counter');

/** A plugin with a task every 5 minutes that counts its runs in a counter and a metric. */
const ticker = definePlugin({
  name: 'ticker',
  version: '1.0.0',
  core: '^0.1.0',
  provides: [counterRef],
  setup(ctx) {
    let runs = 0;
    const clock = ctx.get(coreServices.clock);
    const ticks = ctx.meter.createCounter('ticker.ticks', { description: 'Runs of the tick task', unit: '{run}' });
    const seenAt: number[] = [];
    ctx.tasks.schedule({
      name: 'tick',
      every: '5m',
      run: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        runs += 1;
        seenAt.push(clock.now());
        ticks.add(1, { kind: 'scheduled' });
      },
    });
    ctx.provide(counterRef, { value: () => runs });
    ctx.http.get('/api/ticker', (c) => c.json({ runs, seenAt: seenAt.map((t) => new Date(t).toISOString()) }));
  },
});

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

describe('startTestKernel', () => {
  it('runs tasks on the test clock: advance runs each due run and waits for it', async () => {
    const clock = new TestClock('2030-01-01T00:00:00Z');
    const app = await startTestKernel({ plugins: [ticker], database: db, clock });
    try {
      expect(app.get(counterRef).value()).toBe(0);
      await clock.advance('4m');
      expect(app.get(counterRef).value()).toBe(0);
      await clock.advance('1m');
      expect(app.get(counterRef).value()).toBe(1);
      await clock.advance('10m');
      const body = (await (await app.fetch('/api/ticker')).json()) as { runs: number; seenAt: string[] };
      expect(body).toEqual({
        runs: 3,
        seenAt: ['2030-01-01T00:05:00.000Z', '2030-01-01T00:10:00.000Z', '2030-01-01T00:15:00.000Z'],
      });
      const [status] = app.kernel.scheduler.list();
      expect(status?.nextRunAt?.toISOString()).toBe('2030-01-01T00:20:00.000Z');
      expect(app.get(coreServices.clock).now()).toBe(Date.parse('2030-01-01T00:15:00Z'));
    } finally {
      await app.stop();
    }
  });

  it('records metrics when asked: the plugin\'s own and the kernel\'s, by attributes', async () => {
    const clock = new TestClock();
    const app = await startTestKernel({ plugins: [ticker], database: db, clock, metrics: true });
    try {
      await clock.advance('10m');
      expect(await app.metricValue('ticker.ticks', { kind: 'scheduled' })).toBe(2);
      expect(await app.metricValue('plugboard.task.runs', { 'plugboard.task': 'ticker.tick', 'plugboard.task.outcome': 'ok' })).toBe(2);
      expect(await app.metricValue('ticker.ticks', { kind: 'other' })).toBeUndefined();
      const ticks = (await app.metrics()).find((m) => m.name === 'ticker.ticks');
      expect(ticks).toMatchObject({ type: 'sum', unit: '{run}', scope: 'ticker', description: 'Runs of the tick task' });
    } finally {
      await app.stop();
    }
  });

  it('says how to record metrics when they were not asked for', async () => {
    const app = await startTestKernel({ plugins: [ticker], database: db });
    try {
      await expect(app.metrics()).rejects.toThrow('No metrics are recorded: start the test kernel with startTestKernel({ ..., metrics: true }).');
    } finally {
      await app.stop();
    }
  });

  it('serves the same app over real HTTP with listen(), and lets the test provide above a plugin', async () => {
    const app = await startTestKernel({ plugins: [ticker], database: db });
    try {
      const url = await app.listen();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await app.listen()).toBe(url);
      const res = await fetch(`${url}/api/ticker`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBeTruthy();
      const handle = app.get(counterRef);
      const registration = app.provide(counterRef, { value: () => 42 }, { ranking: 10 });
      expect(handle.value()).toBe(42);
      await registration.unregister();
      expect(handle.value()).toBe(0);
    } finally {
      await app.stop();
    }
  });
});

describe('a clock provided above core.clock', () => {
  it('times the tasks too, as it does everything else that reads core.clock', async () => {
    const app = await startTestKernel({ plugins: [ticker], database: db });
    try {
      const clock = new TestClock('2031-01-01T00:00:00Z');
      app.provide(coreServices.clock, clock, { ranking: 100 });
      // The first run was armed on the system clock at start; cancel it by rescheduling through a restart.
      await app.kernel.disable('ticker');
      await app.kernel.enable('ticker');
      await clock.advance('5m');
      expect(app.get(counterRef).value()).toBe(1);
      expect(app.kernel.tasks()[0]?.lastStartedAt?.toISOString()).toBe('2031-01-01T00:05:00.000Z');
    } finally {
      await app.stop();
    }
  });
});
