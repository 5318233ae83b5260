import { describe, expect, it } from 'vitest';
import { configSchema } from './config.js';

function problems(config: unknown): string[] {
  const result = configSchema.safeParse(config);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '')}: ${i.message}`);
}

const good = { name: 'Deep', expr: 'plugboard.batch.queue_depth', threshold: 10 };

describe('configSchema', () => {
  it('accepts an empty section (the built-ins run)', () => {
    expect(problems({})).toEqual([]);
  });

  it('names the rule and field of every problem', () => {
    expect(
      problems({
        rules: [
          good,
          { ...good, name: 'Bad1', expr: 'rate(plugboard.batch.queue_depth' },
          { ...good, name: 'Bad2', for: 'soon' },
          { ...good, name: 'Bad3', threshold: 'high' },
          { ...good, name: 'Bad4', expr: 'rate(no.such.metric[5m])' },
          { ...good, name: 'Bad5', expr: 'rate(plugboard.batch.queue_depth[5m])' },
          { ...good, name: 'Bad6', annotations: { summary: '{{ $value | humanize }}' } },
          { ...good, name: 'bad name' },
        ],
      }),
    ).toEqual([
      "rules[1].expr: does not parse: expected a window such as [5m] after the metric in rate() at column 33, found 'end of expression'",
      "rules[2].for: Invalid duration: use milliseconds as a number or a string such as '500ms', '30s', '5m' or '1h', at most 24 days",
      'rules[3].threshold: the threshold must be a number',
      expect.stringMatching(/^rules\[4\]\.expr: unknown metric 'no\.such\.metric' \(known: http\.server\.request\.duration, .*; declare others in the rule's metrics\)$/),
      "rules[5].expr: rate() needs a counter or a histogram, and 'plugboard.batch.queue_depth' is a gauge: compare its current value instead",
      "rules[6].annotations.summary: '{{ $value | humanize }}' is not supported: use {{ $value }}, {{ $labels.<name> }} or {{ printf \"%.2f\" $value }}",
      'rules[7].name: a rule name is letters, digits and underscores (it becomes the alertname label), such as HighErrorRate',
    ]);
  });

  it('accepts a metric the rule declares, and refuses an unknown built-in', () => {
    expect(problems({ rules: [{ name: 'Mine', expr: 'rate(my.metric[5m])', threshold: 1, metrics: { 'my.metric': { kind: 'counter', plugin: 'mine' } } }] })).toEqual([]);
    expect(problems({ builtins: { HighCPU: { enabled: false } } })).toEqual([
      'builtins.HighCPU: there is no built-in rule \'HighCPU\': use one of HighMemoryUse, HighCpuLoad, SlowDatabaseQueries, LowCacheHitRate, HighBatchQueue, ErrorSpike',
    ]);
  });
});
