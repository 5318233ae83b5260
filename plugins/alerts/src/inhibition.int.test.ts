/**
 * Inhibition and silences with real metrics, seen by a webhook receiver: while HighCpuLoad fires,
 * SlowDatabaseQueries (real slow statements) is muted and not notified; when the CPU alert
 * resolves the slow-query alert is notified; a silence mutes it again.
 */
import { coreServices } from '@plugboard/plugin-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startAlertsApp, type AlertsApp } from './__fixtures__/alertsApp.js';
import { startReceiver, type Receiver } from './__fixtures__/receiver.js';
import type { WebhookPayload } from './notify/WebhookNotifier.js';

const MIN = 60_000;
let app: AlertsApp | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await app?.close();
  await receiver?.close();
  app = receiver = undefined;
});

describe('inhibition and silences', () => {
  it('a firing HighCpuLoad mutes SlowDatabaseQueries until it resolves; a silence mutes it again', async () => {
    receiver = await startReceiver();
    const r = receiver;
    app = await startAlertsApp({
      builtins: { HighCpuLoad: { for: '0s' }, SlowDatabaseQueries: { for: '0s' } },
      webhooks: [{ name: 'ops', url: r.url, groupWait: '0s', groupInterval: '1m', repeatInterval: '1h' }],
    });
    const a = app;
    const { sequelize } = a.kernel.get(coreServices.database);
    const slow = () => Promise.all([1, 2].map(() => sequelize.query('SELECT pg_sleep(0.6)')));
    const notified = () => (r.bodies as WebhookPayload[]).map((b) => `${b.groupLabels.alertname}:${b.status}`);
    const muted = () => Object.fromEntries(a.alerts.alerts().filter((x) => x.state === 'firing').map((x) => [x.rule, x.muted]));

    for (let m = 0; m < 10 && a.alerts.alerts().find((x) => x.rule === 'HighCpuLoad')?.state !== 'firing'; m++) {
      a.load.addCpuSeconds(90);
      await a.step(MIN);
    }
    for (let m = 0; m < 5 && Object.keys(muted()).length < 2; m++) {
      a.load.addCpuSeconds(90);
      await slow();
      await a.step(MIN);
    }
    expect(muted()).toEqual({ HighCpuLoad: false, SlowDatabaseQueries: true });
    await a.step(MIN);
    await vi.waitFor(() => expect(notified()).toContain('HighCpuLoad:firing'));
    expect(notified().filter((n) => n.startsWith('SlowDatabaseQueries'))).toEqual([]);

    // The CPU load stops: HighCpuLoad resolves and the slow queries are notified.
    for (let m = 0; m < 10 && a.alerts.alerts().find((x) => x.rule === 'HighCpuLoad')?.state !== 'resolved'; m++) {
      await slow();
      await a.step(MIN);
    }
    expect(muted()).toEqual({ SlowDatabaseQueries: false });
    await slow();
    await a.step(MIN);
    await vi.waitFor(() => expect(notified()).toEqual(expect.arrayContaining(['HighCpuLoad:resolved', 'SlowDatabaseQueries:firing'])));

    a.alerts.addSilence({ matchers: [{ name: 'alertname', value: 'SlowDatabaseQueries' }], endsAt: new Date(a.clock.now() + 3_600_000).toISOString() });
    expect(muted()).toEqual({ SlowDatabaseQueries: true });
  }, 120_000);
});
