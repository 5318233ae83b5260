/** The plugin's own metrics, `plugboard.alerts.*` (see README), made once on the plugin's meter. */
import type { Meter } from '@opentelemetry/api';
import type { AlertInstance } from './contract.js';
import type { EngineInstruments } from './engine/AlertEngine.js';

export interface AlertsInstruments extends EngineInstruments {
  notified(receiver: string, kind: 'log' | 'alertmanager' | 'webhook', ok: boolean): void;
}

export function createInstruments(meter: Meter, alerts: () => AlertInstance[]): AlertsInstruments {
  const evaluations = meter.createCounter('plugboard.alerts.evaluations', { description: 'Rule evaluations', unit: '{evaluation}' });
  const duration = meter.createHistogram('plugboard.alerts.evaluation.duration', {
    description: 'How long one rule took to evaluate',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1] },
  });
  const errors = meter.createCounter('plugboard.alerts.evaluation_errors', { description: 'Rule evaluations that failed', unit: '{error}' });
  const sent = meter.createCounter('plugboard.alerts.notifications.sent', { description: 'Notifications delivered', unit: '{notification}' });
  const failed = meter.createCounter('plugboard.alerts.notifications.failed', { description: 'Notifications that failed after every retry', unit: '{notification}' });
  const byState = meter.createObservableUpDownCounter('plugboard.alerts.active', { description: 'Alerts by state (pending, firing, resolved)', unit: '{alert}' });
  byState.addCallback((result) => {
    const counts = { pending: 0, firing: 0, resolved: 0 };
    for (const a of alerts()) counts[a.state]++;
    for (const [state, n] of Object.entries(counts)) result.observe(n, { 'plugboard.alert.state': state });
  });
  return {
    evaluated(rule, durationMs, outcome) {
      const attributes = { 'plugboard.alert.rule': rule, 'plugboard.alert.outcome': outcome };
      evaluations.add(1, attributes);
      duration.record(durationMs / 1000, attributes);
      if (outcome === 'error') errors.add(1, { 'plugboard.alert.rule': rule });
    },
    notified(receiver, kind, ok) {
      (ok ? sent : failed).add(1, { 'plugboard.alert.receiver': receiver, 'plugboard.alert.receiver.kind': kind });
    },
  };
}
