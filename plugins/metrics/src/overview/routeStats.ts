/**
 * Per-route figures from `http.server.request.duration`, cumulative since the plugin started:
 * the slowest routes by p95 and the most failing by 5xx answers. Requests with no matched route
 * (a 404 of the dispatcher) are left out.
 */
import type { HistogramValue, MetricFamily, RouteStats } from '../contract.js';
import { mergeHistograms, quantile } from './quantile.js';

const LIMIT = 10;

/**
 * @example
 * const { slowest, failing } = routeStats(snapshot.families.find((f) => f.name === 'http.server.request.duration'));
 */
export function routeStats(family: MetricFamily | undefined): { slowest: RouteStats[]; failing: RouteStats[] } {
  if (family === undefined) return { slowest: [], failing: [] };
  const groups = new Map<string, { method: string; route: string; plugin?: string; all: HistogramValue[]; errors: number }>();
  for (const point of family.points) {
    const route = point.attributes['http.route'];
    if (typeof route !== 'string' || point.histogram === undefined) continue;
    const method = String(point.attributes['http.request.method'] ?? '');
    const plugin = point.attributes['plugboard.plugin'];
    const key = `${method} ${route} ${String(plugin ?? '')}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { method, route, ...(typeof plugin === 'string' ? { plugin } : {}), all: [], errors: 0 };
      groups.set(key, group);
    }
    group.all.push(point.histogram);
    if (Number(point.attributes['http.response.status_code']) >= 500) group.errors += point.histogram.count;
  }
  const stats: RouteStats[] = [];
  for (const g of groups.values()) {
    const h = mergeHistograms(g.all)!;
    stats.push({
      method: g.method,
      route: g.route,
      ...(g.plugin !== undefined ? { plugin: g.plugin } : {}),
      requests: h.count,
      errors: g.errors,
      p50Ms: quantile(h, 0.5) * 1000,
      p95Ms: quantile(h, 0.95) * 1000,
      p99Ms: quantile(h, 0.99) * 1000,
    });
  }
  return {
    slowest: [...stats].sort((a, b) => b.p95Ms - a.p95Ms).slice(0, LIMIT),
    failing: stats.filter((s) => s.errors > 0).sort((a, b) => b.errors - a.errors).slice(0, LIMIT),
  };
}
