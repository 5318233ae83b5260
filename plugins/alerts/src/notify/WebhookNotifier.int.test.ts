import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookSchema } from '../config.js';
import type { AlertInstance } from '../contract.js';
import { ManualClock } from '../__fixtures__/ManualClock.js';
import { startReceiver, type Receiver } from '../__fixtures__/receiver.js';
import type { WebhookPayload } from './WebhookNotifier.js';
import { WebhookNotifier } from './WebhookNotifier.js';

const S = 1000;
let receiver: Receiver;
beforeEach(async () => (receiver = await startReceiver()));
afterEach(() => receiver.close());

function alert(rule: string, labels: Record<string, string>, state: AlertInstance['state'] = 'firing', muted = false): AlertInstance {
  return {
    id: `${rule}-${JSON.stringify(labels)}`,
    rule,
    severity: 'warning',
    state,
    labels: { alertname: rule, severity: 'warning', ...labels },
    annotations: { summary: `${rule} is on` },
    value: 1,
    activeAt: '2026-01-01T12:00:00.000Z',
    firedAt: '2026-01-01T12:00:00.000Z',
    ...(state === 'resolved' ? { resolvedAt: '2026-01-01T12:10:00.000Z' } : {}),
    muted,
  };
}

function notifier(clock: ManualClock, extra: Record<string, unknown> = {}) {
  const config = webhookSchema.parse({ name: 'ops', url: receiver.url, groupWait: '30s', groupInterval: '5m', repeatInterval: '1h', retryMinDelay: '10ms', retryMaxDelay: '40ms', ...extra });
  return new WebhookNotifier(config, { clock, logger: pino({ level: 'silent' }), externalUrl: 'http://plugboard.test' });
}

describe('WebhookNotifier', () => {
  it('groups by alertname, waits groupWait, sends changes at groupInterval, repeats at repeatInterval and sends the resolution', async () => {
    const clock = new ManualClock();
    const hook = notifier(clock);
    const a1 = alert('Deep', { queue: 'a' });
    const a2 = alert('Deep', { queue: 'b' });
    const other = alert('Cpu', {});
    hook.notify({ now: clock.now(), alerts: [a1, other], transitions: [] });
    await clock.advance(29 * S);
    await hook.idle();
    expect(receiver.bodies).toHaveLength(0);
    await clock.advance(1 * S);
    await hook.idle();
    const first = receiver.bodies as WebhookPayload[];
    expect(first.map((b) => [b.groupLabels, b.alerts.length, b.status])).toEqual([
      [{ alertname: 'Deep' }, 1, 'firing'],
      [{ alertname: 'Cpu' }, 1, 'firing'],
    ]);
    expect(first[0]).toMatchObject({
      version: '4',
      groupKey: '{}:{alertname="Deep"}',
      receiver: 'ops',
      truncatedAlerts: 0,
      commonLabels: { alertname: 'Deep', severity: 'warning', queue: 'a' },
      commonAnnotations: { summary: 'Deep is on' },
      externalURL: 'http://plugboard.test',
    });
    expect(first[0]!.alerts[0]).toMatchObject({ status: 'firing', startsAt: a1.firedAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://plugboard.test/api/alerts/rules?rule=Deep' });

    // A second alert joins the Deep group: sent at the next groupInterval, not before.
    hook.notify({ now: clock.now(), alerts: [a1, a2, other], transitions: [] });
    await clock.advance(5 * 60 * S - 1);
    await hook.idle();
    expect(receiver.bodies).toHaveLength(2);
    await clock.advance(1);
    await hook.idle();
    expect(receiver.bodies).toHaveLength(3);
    expect((receiver.bodies[2] as WebhookPayload).alerts.map((a) => a.labels.queue)).toEqual(['a', 'b']);

    // Unchanged groups repeat after repeatInterval (1h since each was last sent).
    const before = receiver.bodies.length;
    await clock.advance(50 * 60 * S);
    await hook.idle();
    expect(receiver.bodies.length).toBe(before);
    await clock.advance(10 * 60 * S);
    await hook.idle();
    expect((receiver.bodies.slice(before) as WebhookPayload[]).map((b) => b.groupLabels.alertname).sort()).toEqual(['Cpu', 'Deep']);

    // Cpu resolves: one resolved notification at the next interval, then the group is gone.
    hook.notify({ now: clock.now(), alerts: [a1, a2, alert('Cpu', {}, 'resolved')], transitions: [] });
    const n = receiver.bodies.length;
    await clock.advance(5 * 60 * S);
    await hook.idle();
    const resolved = (receiver.bodies.slice(n) as WebhookPayload[]).find((b) => b.groupLabels.alertname === 'Cpu')!;
    expect(resolved).toMatchObject({ status: 'resolved', alerts: [{ status: 'resolved', endsAt: '2026-01-01T12:10:00.000Z' }] });
    hook.stop();
  });

  it('leaves out muted alerts', async () => {
    const clock = new ManualClock();
    const hook = notifier(clock, { groupWait: '0s' });
    hook.notify({ now: clock.now(), alerts: [alert('Slow', {}, 'firing', true), alert('Cpu', {})], transitions: [] });
    await clock.advance(0);
    await hook.idle();
    expect((receiver.bodies as WebhookPayload[]).map((b) => b.groupLabels.alertname)).toEqual(['Cpu']);
    hook.stop();
  });

  it('sends no resolution for an alert that got muted, and notifies it again once unmuted', async () => {
    const clock = new ManualClock();
    const hook = notifier(clock, { groupWait: '0s', groupInterval: '1m' });
    hook.notify({ now: clock.now(), alerts: [alert('Slow', {})], transitions: [] });
    await clock.advance(0);
    await hook.idle();
    hook.notify({ now: clock.now(), alerts: [alert('Slow', {}, 'firing', true)], transitions: [] });
    await clock.advance(60 * S);
    await hook.idle();
    expect((receiver.bodies as WebhookPayload[]).map((b) => b.status)).toEqual(['firing']);
    hook.notify({ now: clock.now(), alerts: [alert('Slow', {})], transitions: [] });
    await clock.advance(60 * S);
    await hook.idle();
    expect((receiver.bodies as WebhookPayload[]).map((b) => b.status)).toEqual(['firing', 'firing']);
    hook.stop();
  });

  it('retries a failing receiver with backoff until it answers', async () => {
    const clock = new ManualClock();
    const hook = notifier(clock, { groupWait: '0s', retries: 4 });
    receiver.failNext(3);
    hook.notify({ now: clock.now(), alerts: [alert('Cpu', {})], transitions: [] });
    await clock.advance(0);
    await hook.idle();
    expect(receiver.attempts).toBe(4);
    expect(receiver.bodies).toHaveLength(1);
    hook.stop();
  });

  it('gives up after its retries', async () => {
    const clock = new ManualClock();
    const hook = notifier(clock, { groupWait: '0s', retries: 1 });
    receiver.failNext(5);
    hook.notify({ now: clock.now(), alerts: [alert('Cpu', {})], transitions: [] });
    await clock.advance(0);
    await hook.idle();
    expect(receiver.attempts).toBe(2);
    expect(receiver.bodies).toHaveLength(0);
    hook.stop();
  });
});
