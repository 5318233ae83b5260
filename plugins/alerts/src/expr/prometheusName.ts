/**
 * OpenTelemetry -> Prometheus metric names, following OpenTelemetry's Prometheus compatibility
 * rules: dots become underscores, the unit becomes a suffix (`s` -> `_seconds`, `By` -> `_bytes`,
 * a `{annotation}` unit adds nothing, `1` on a gauge -> `_ratio`) and counters end in `_total`.
 *
 * plugins/metrics exports `prometheusNameOf(name, unit, kind)` with this signature; its `/metrics`
 * is what these names must match. This copy stands in until that export is merged into this branch
 * (see README), and the tests compare both on every family of the catalog once it is.
 */
import type { MetricKind } from '@plugboard/plugin-metrics';

const UNIT_WORDS: Record<string, string> = {
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  min: 'minutes',
  h: 'hours',
  d: 'days',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  bit: 'bits',
  Hz: 'hertz',
  '%': 'percent',
};

function unitSuffix(unit: string, kind: MetricKind): string {
  unit = unit.replace(/\{[^}]*\}/g, '').trim();
  if (unit === '') return '';
  if (unit === '1') return kind === 'gauge' || kind === 'updowncounter' ? 'ratio' : '';
  const [num, per] = unit.split('/');
  const word = (u: string): string => UNIT_WORDS[u] ?? u.replace(/[^a-zA-Z0-9]/g, '_');
  return per ? `${word(num!)}_per_${per === 's' ? 'second' : per === 'm' ? 'minute' : per === 'h' ? 'hour' : word(per)}` : word(num!);
}

/**
 * The name `/metrics` shows a family under.
 *
 * @example
 * prometheusNameOf('http.server.request.duration', 's', 'histogram') // 'http_server_request_duration_seconds'
 * prometheusNameOf('plugboard.cache.hits', '{hit}', 'counter')        // 'plugboard_cache_hits_total'
 */
export function prometheusNameOf(name: string, unit: string, kind: MetricKind): string {
  let out = name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/__+/g, '_').replace(/_+$/, '');
  if (/^[0-9]/.test(out)) out = `_${out}`;
  if (kind === 'counter' && out.endsWith('_total')) out = out.slice(0, -'_total'.length);
  const suffix = unitSuffix(unit, kind);
  if (suffix !== '' && !out.endsWith(`_${suffix}`)) out = `${out}_${suffix}`;
  if (kind === 'counter' && !out.endsWith('_total')) out = `${out}_total`;
  return out;
}
