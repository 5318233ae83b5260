/**
 * Inhibition as Alertmanager has it: while an alert matching `source` fires, alerts matching
 * `target` (with the same values of the `equal` labels) are muted. The default mutes slow-query
 * alerts while the process is CPU bound, since the slowness is then a symptom.
 */
import { z } from 'zod';
import { matchesAll } from './Silences.js';

export const inhibitRuleSchema = z.strictObject({
  source: z.record(z.string(), z.string()).describe('Labels (exact values) of the firing alert that inhibits'),
  target: z.record(z.string(), z.string()).describe('Labels (exact values) of the alerts it mutes'),
  equal: z.array(z.string()).default([]).describe('Labels that must have the same value on both'),
});
export type InhibitRule = z.output<typeof inhibitRuleSchema>;

const toMatchers = (labels: Record<string, string>) => Object.entries(labels).map(([name, value]) => ({ name, value }));

/**
 * True when one of `firing` (labels of firing alerts) inhibits an alert with `labels`.
 *
 * @example
 * inhibited([{ source: { alertname: 'HighCpuLoad' }, target: { alertname: 'SlowDatabaseQueries' }, equal: [] }], labels, firing)
 */
export function inhibited(rules: readonly InhibitRule[], labels: Readonly<Record<string, string>>, firing: readonly Readonly<Record<string, string>>[]): boolean {
  return rules.some(
    (r) =>
      matchesAll(toMatchers(r.target), labels) &&
      firing.some((src) => src !== labels && matchesAll(toMatchers(r.source), src) && r.equal.every((l) => (src[l] ?? '') === (labels[l] ?? ''))),
  );
}
