/**
 * OpenTelemetry's Prometheus compatibility rules for metric and label names: what `/metrics`
 * shows an instrument under, and what the alerts plugin writes PromQL against, offline. The JS
 * exporter only replaces invalid characters; the unit and type suffixes are done here.
 */
import type { MetricKind } from '../contract.js';

/** UCUM units as Prometheus spells them in a suffix. */
const UNITS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

/** The denominators of `x/y` units, singular as Prometheus writes `_per_second`. */
const PER_UNITS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/**
 * The Prometheus name of an OpenTelemetry instrument: invalid characters (dots included) become
 * underscores, the unit becomes a suffix (`s` -> `_seconds`, `By` -> `_bytes`, `By/s` ->
 * `_bytes_per_second`; annotations in braces such as `{request}` are dropped), gauges and
 * up-down counters of unit `1` get `_ratio`, and counters end in `_total`. A suffix already at
 * the end of the name is not repeated. Histograms get no suffix here; their series add `_bucket`,
 * `_sum` and `_count`.
 *
 * @example
 * prometheusNameOf('http.server.request.duration', 's', 'histogram'); // 'http_server_request_duration_seconds'
 * prometheusNameOf('plugboard.cache.hits', '{hit}', 'counter');        // 'plugboard_cache_hits_total'
 * prometheusNameOf('process.cpu.utilization', '1', 'gauge');          // 'process_cpu_utilization_ratio'
 */
export function prometheusNameOf(name: string, unit: string, kind: MetricKind): string {
  let base = sanitize(name);
  const counter = kind === 'counter';
  if (counter && base.endsWith('_total')) base = base.slice(0, -'_total'.length);
  for (const suffix of unitSuffixes(unit, kind)) {
    if (!base.endsWith(`_${suffix}`)) base = `${base}_${suffix}`;
  }
  if (counter) base = `${base}_total`;
  return base;
}

/**
 * A Prometheus label name for an attribute key: invalid characters become underscores, and a
 * leading digit gets a `key_` prefix.
 *
 * @example
 * prometheusLabelOf('http.request.method'); // 'http_request_method'
 */
export function prometheusLabelOf(key: string): string {
  const label = key.replace(/[^a-zA-Z0-9_]/g, '_').replace(/__+/g, '_');
  return /^[0-9]/.test(label) ? `key_${label}` : label;
}

function sanitize(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/__+/g, '_').replace(/_+$/, '');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

function unitSuffixes(unit: string, kind: MetricKind): string[] {
  const plain = unit.replace(/\{[^}]*\}/g, '').trim();
  if (plain === '') return [];
  if (plain === '1') return kind === 'gauge' || kind === 'updowncounter' ? ['ratio'] : [];
  const [numerator = '', denominator, ...rest] = plain.split('/');
  if (rest.length > 0) return [];
  const suffixes: string[] = [];
  const main = UNITS[numerator] ?? sanitizeUnit(numerator);
  if (main !== '' && numerator !== '1') suffixes.push(main);
  if (denominator !== undefined && denominator !== '') {
    const per = PER_UNITS[denominator] ?? sanitizeUnit(denominator);
    if (per !== '') suffixes.push(`per_${per}`);
  }
  return suffixes.length === 2 ? [suffixes.join('_')] : suffixes;
}

function sanitizeUnit(unit: string): string {
  return unit.replace(/[^a-zA-Z0-9]/g, '_').replace(/__+/g, '_').replace(/^_|_$/g, '');
}
