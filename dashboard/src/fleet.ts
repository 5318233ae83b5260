/**
 * The fleet view: the main charts across every instance, read from Prometheus's HTTP API
 * (`/api/v1/query_range`) over the names `/metrics` exposes. The dashboard's server asks
 * Prometheus, so the page itself only ever talks to its own origin (the CSP's connect-src 'self').
 */
import { parseDuration } from '@plugboard/plugin-api';

export interface FleetQuery {
  id: string;
  title: string;
  unit: string;
  promql: string;
}

/** Grouped by `instance`, the label Prometheus adds to every scraped series. */
export const FLEET_QUERIES: readonly FleetQuery[] = [
  {
    id: 'fleet-requests',
    title: 'Requests per second, by instance',
    unit: '/s',
    promql: 'sum by (instance) (rate(http_server_request_duration_seconds_count[1m]))',
  },
  {
    id: 'fleet-errors',
    title: '5xx per second, by instance',
    unit: '/s',
    promql: 'sum by (instance) (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[1m]))',
  },
  {
    id: 'fleet-p95',
    title: 'Latency p95, by instance',
    unit: 'ms',
    promql: '1000 * histogram_quantile(0.95, sum by (instance, le) (rate(http_server_request_duration_seconds_bucket[1m])))',
  },
  {
    id: 'fleet-up',
    title: 'Scrape up, by instance',
    unit: '',
    promql: 'up',
  },
];

export interface FleetChart {
  id: string;
  title: string;
  unit: string;
  /** Seconds since the epoch, one per step. */
  t: number[];
  series: { instance: string; values: (number | null)[] }[];
  error?: string;
}

interface RangeAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
}

/**
 * Reads every fleet chart over the last `window`, in about 240 steps.
 *
 * @example
 * const charts = await readFleet('http://127.0.0.1:9090', '1h', AbortSignal.timeout(5000));
 */
export async function readFleet(prometheusUrl: string, window: string, signal: AbortSignal, now = Date.now()): Promise<FleetChart[]> {
  const windowS = parseDuration(window, 'plugins.dashboard.fleetWindow') / 1000;
  const step = Math.max(1, Math.round(windowS / 240));
  const end = Math.floor(now / 1000 / step) * step;
  const start = end - windowS;
  const t: number[] = [];
  for (let s = start; s <= end; s += step) t.push(s);
  return Promise.all(
    FLEET_QUERIES.map(async (q): Promise<FleetChart> => {
      const url = new URL('api/v1/query_range', prometheusUrl.endsWith('/') ? prometheusUrl : `${prometheusUrl}/`);
      url.search = new URLSearchParams({ query: q.promql, start: String(start), end: String(end), step: String(step) }).toString();
      const base = { id: q.id, title: q.title, unit: q.unit, t };
      try {
        const res = await fetch(url, { signal });
        const body = (await res.json()) as RangeAnswer;
        if (body.status !== 'success' || body.data === undefined) {
          return { ...base, series: [], error: `Prometheus refused '${q.promql}': ${body.error ?? res.statusText}` };
        }
        const series = body.data.result.map((r) => {
          const byTime = new Map(r.values.map(([ts, v]) => [Math.round(ts), Number(v)]));
          return {
            instance: r.metric.instance ?? r.metric.job ?? JSON.stringify(r.metric),
            values: t.map((s) => {
              const v = byTime.get(s);
              return v === undefined || !Number.isFinite(v) ? null : Number(v.toPrecision(4));
            }),
          };
        });
        series.sort((a, b) => a.instance.localeCompare(b.instance));
        return { ...base, series };
      } catch (err) {
        return { ...base, series: [], error: `Prometheus at ${prometheusUrl} did not answer: ${err instanceof Error ? err.message : String(err)}` };
      }
    }),
  );
}
