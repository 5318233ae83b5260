/**
 * The engine's notifications reach a real Alertmanager (0.25): its API lists the alert with our
 * labels, annotations and generatorURL; a silence made in Alertmanager holds on the next push;
 * the resolution is pushed with its end time.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startAlertmanager, type ExternalProcess } from '../__fixtures__/externalProcess.js';
import { startAlertsApp, type AlertsApp } from '../__fixtures__/alertsApp.js';

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string;
  status: { state: string; silencedBy: string[] };
}

let am: ExternalProcess | undefined;
let app: AlertsApp | undefined;
afterEach(async () => {
  await app?.close();
  await am?.stop();
  app = am = undefined;
});

const amAlerts = async (url: string): Promise<AmAlert[]> => (await fetch(`${url}/api/v2/alerts`)).json() as Promise<AmAlert[]>;

describe('pushing to a real Alertmanager', () => {
  it('lists the alert, keeps a silence made there, and takes the resolution', async () => {
    am = await startAlertmanager();
    const url = am.url;
    app = await startAlertsApp({ alertmanagers: [{ url }], builtins: { HighBatchQueue: { for: '0s' } }, externalUrl: 'http://plugboard.test:3000' });
    const a = app;
    a.load.queueDepth = 1500;
    await a.step(0);
    expect(a.alerts.alerts().find((x) => x.rule === 'HighBatchQueue')?.state).toBe('firing');
    const listed = (await amAlerts(url)).filter((x) => x.labels.alertname === 'HighBatchQueue');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      labels: { alertname: 'HighBatchQueue', severity: 'warning' },
      annotations: { summary: '1500 conversations wait in the batch queue' },
      generatorURL: 'http://plugboard.test:3000/api/alerts/rules?rule=HighBatchQueue',
      status: { state: 'active' },
    });

    const silence = await fetch(`${url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: 'HighBatchQueue', isRegex: false, isEqual: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'test',
        comment: 'maintenance',
      }),
    });
    const { silenceID } = (await silence.json()) as { silenceID: string };
    await a.step(0);
    await vi.waitFor(async () => {
      const held = (await amAlerts(url)).find((x) => x.labels.alertname === 'HighBatchQueue')!;
      expect(held.status).toMatchObject({ state: 'suppressed', silencedBy: [silenceID] });
    });

    a.load.queueDepth = 0;
    await a.step(0);
    expect(a.alerts.alerts().find((x) => x.rule === 'HighBatchQueue')?.state).toBe('resolved');
    await vi.waitFor(async () => {
      expect((await amAlerts(url)).filter((x) => x.labels.alertname === 'HighBatchQueue')).toEqual([]);
    });
  }, 60_000);
});
