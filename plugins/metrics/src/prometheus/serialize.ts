/**
 * Prometheus text exposition (format 0.0.4) of the families, with the names of OpenTelemetry's
 * Prometheus compatibility rules (see prometheusName.ts) and `target_info` for the resource.
 * Written here rather than with the exporter's serializer because that one adds no unit or
 * `_total` suffixes and writes exponential histograms without samples.
 */
import type { Attributes } from '@opentelemetry/api';
import type { MetricAttributes } from '../contract.js';
import type { ScopedFamily, ScopedPoint } from '../reader/families.js';
import { prometheusLabelOf } from './prometheusName.js';

const TYPES = { counter: 'counter', updowncounter: 'gauge', gauge: 'gauge', histogram: 'histogram' } as const;

/**
 * The text `/metrics` answers: `target_info` with the resource's attributes, then every family,
 * each series labelled with its attributes and `otel_scope_name`.
 *
 * @example
 * const text = serializePrometheus(familiesOf(resourceMetrics), resourceMetrics.resource.attributes);
 */
export function serializePrometheus(families: readonly ScopedFamily[], resource: Attributes): string {
  const lines: string[] = [];
  lines.push('# HELP target_info Target metadata', '# TYPE target_info gauge');
  lines.push(`target_info${labels(resource as MetricAttributes)} 1`);
  const seen = new Set<string>(['target_info']);
  for (const family of families) {
    // Two OpenTelemetry names can map to one Prometheus name (`a.b` and `a_b`); the first wins.
    if (seen.has(family.prometheusName) || family.points.length === 0) continue;
    seen.add(family.prometheusName);
    const name = family.prometheusName;
    lines.push(`# HELP ${name} ${escapeHelp(family.description || family.name)}`);
    lines.push(`# TYPE ${name} ${TYPES[family.kind]}`);
    for (const point of family.points) writePoint(lines, family, point);
  }
  return `${lines.join('\n')}\n`;
}

function writePoint(lines: string[], family: ScopedFamily, point: ScopedPoint): void {
  const name = family.prometheusName;
  const attributes: Record<string, string | number | boolean> = { ...point.attributes, otel_scope_name: point.scope };
  if (point.histogram === undefined) {
    lines.push(`${name}${labels(attributes)} ${number(point.value ?? 0)}`);
    return;
  }
  const { boundaries, counts, sum, count } = point.histogram;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    cumulative += counts[i] ?? 0;
    const le = i < boundaries.length ? number(boundaries[i]!) : '+Inf';
    lines.push(`${name}_bucket${labels(attributes, le)} ${cumulative}`);
  }
  lines.push(`${name}_sum${labels(attributes)} ${number(sum)}`, `${name}_count${labels(attributes)} ${count}`);
}

/** `{a="1",b="x"}`; '' with no labels. Attribute keys that clash after sanitizing keep the first. */
function labels(attributes: MetricAttributes, le?: string): string {
  const parts: string[] = [];
  const used = new Set<string>();
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    const label = prometheusLabelOf(key);
    if (used.has(label) || label === 'le') continue;
    used.add(label);
    parts.push(`${label}="${escapeValue(String(value))}"`);
  }
  if (le !== undefined) parts.push(`le="${le}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function escapeValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
