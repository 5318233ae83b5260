import { expect, it } from 'vitest';
import type { ScopedFamily } from '../reader/families.js';
import { serializePrometheus } from './serialize.js';

it('writes target_info, counters with _total, gauges, cumulative histogram buckets, and escapes label values', () => {
  const families: ScopedFamily[] = [
    {
      name: 'jobs',
      prometheusName: 'jobs_total',
      kind: 'counter',
      unit: '{job}',
      description: 'Jobs done.\nAll of them.',
      points: [{ attributes: { 'job.kind': 'a "quoted" \\ value' }, value: 3, scope: 'shop' }],
    },
    {
      name: 'queue.depth',
      prometheusName: 'queue_depth',
      kind: 'updowncounter',
      unit: '',
      description: '',
      points: [{ attributes: {}, value: -1, scope: 'shop', scopeVersion: '1.0.0' }],
    },
    {
      name: 'work.duration',
      prometheusName: 'work_duration_seconds',
      kind: 'histogram',
      unit: 's',
      description: 'Work.',
      points: [{ attributes: { ok: true }, histogram: { boundaries: [0.1, 1], counts: [1, 2, 3], sum: 9.5, count: 6 }, scope: 'shop' }],
    },
    // The same Prometheus name again (from `jobs` spelled differently): skipped, Prometheus would refuse two.
    { name: 'jobs.', prometheusName: 'jobs_total', kind: 'counter', unit: '', description: '', points: [{ attributes: {}, value: 1, scope: 'x' }] },
  ];
  expect(serializePrometheus(families, { 'service.name': 'plugboard', 'telemetry.sdk.language': 'nodejs' })).toBe(
    [
      '# HELP target_info Target metadata',
      '# TYPE target_info gauge',
      'target_info{service_name="plugboard",telemetry_sdk_language="nodejs"} 1',
      '# HELP jobs_total Jobs done.\\nAll of them.',
      '# TYPE jobs_total counter',
      'jobs_total{job_kind="a \\"quoted\\" \\\\ value",otel_scope_name="shop"} 3',
      '# HELP queue_depth queue.depth',
      '# TYPE queue_depth gauge',
      'queue_depth{otel_scope_name="shop"} -1',
      '# HELP work_duration_seconds Work.',
      '# TYPE work_duration_seconds histogram',
      'work_duration_seconds_bucket{ok="true",otel_scope_name="shop",le="0.1"} 1',
      'work_duration_seconds_bucket{ok="true",otel_scope_name="shop",le="1"} 3',
      'work_duration_seconds_bucket{ok="true",otel_scope_name="shop",le="+Inf"} 6',
      'work_duration_seconds_sum{ok="true",otel_scope_name="shop"} 9.5',
      'work_duration_seconds_count{ok="true",otel_scope_name="shop"} 6',
      '',
    ].join('\n'),
  );
});
