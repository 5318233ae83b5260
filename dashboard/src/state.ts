/**
 * The dashboard's state: what the page shows apart from the charts, as plain JSON. The server
 * renders it into the HTML, `/dashboard/api/state` answers it, and the stream sends the sections
 * that changed.
 */
import type { ServiceEvent } from '@plugboard/plugin-api';
import type { AlertInstance, RuleStatus, Silence } from '@plugboard/plugin-alerts';
import type { ModelUsage } from '@plugboard/plugin-conversations';
import type { DbReport } from '@plugboard/plugin-db-indexes';
import type { RouteStats, TraceSummary } from '@plugboard/plugin-metrics';
import { readSource, unavailable, type DashboardSources, type Source } from './sources.js';

export interface PluginRow {
  name: string;
  version: string;
  description: string;
  state: string;
  enabled: boolean;
  dependencies: { plugin: string; reason: string }[];
  provides: string[];
  consumes: string[];
  error?: string;
}

export interface ServiceRow {
  id: string;
  providers: { owner: string; ranking: number; inFlight: number }[];
  declaredBy: string[];
}

/** A change of a ref's best provider, as the registry reported it. */
export interface SwapRow {
  time: number;
  refId: string;
  type: ServiceEvent['type'];
  from?: string;
  to?: string;
}

export interface TaskRow {
  id: string;
  plugin: string;
  everyMs: number;
  running: boolean;
  runs: number;
  lastStartedAt?: string;
  lastDurationMs?: number;
  lastOutcome?: string;
  lastError?: string;
  nextRunAt?: string;
}

/** A trace without its spans: the stream sends these; the spans come from `/dashboard/api/traces/:id`. */
export type TraceRow = Omit<TraceSummary, 'spans'> & { spanCount: number };

export interface DashboardState {
  plugins: PluginRow[];
  services: { services: ServiceRow[]; swaps: SwapRow[] };
  tasks: TaskRow[];
  alerts: Source<{ alerts: AlertInstance[]; rules: RuleStatus[]; silences: Silence[] }>;
  report: Source<DbReport | null>;
  routes: Source<{ slowest: readonly RouteStats[]; failing: readonly RouteStats[] }>;
  traces: Source<{ recent: TraceRow[]; slow: TraceRow[] }>;
  /** The batch charts' plugin: available when batching runs. */
  batching: Source<true>;
  /** Conversations and tokens per AI model over the last hour, read in the background. */
  models: Source<{ since: string; models: ModelUsage[] } | null>;
}

export type SectionName = keyof DashboardState;
export const SECTIONS: readonly SectionName[] = ['plugins', 'services', 'tasks', 'alerts', 'report', 'routes', 'traces', 'batching', 'models'];
/** Sections that change every second under traffic (or whose changes can wait): the stream reads them every fifth frame. */
export const SLOW_SECTIONS: ReadonlySet<SectionName> = new Set(['routes', 'traces', 'tasks', 'models']);

const iso = (d: Date | undefined) => d?.toISOString();

function traceRow(t: TraceSummary): TraceRow {
  const { spans, ...rest } = t;
  return { ...rest, spanCount: spans.length };
}

/**
 * Reads one section from its source now.
 *
 * @example
 * const plugins = readSection(sources, swaps, 10, 'plugins');
 */
export function readSection<K extends SectionName>(sources: DashboardSources, swaps: readonly SwapRow[], traces: number, name: K): DashboardState[K] {
  const { runtime } = sources;
  if (name === 'models') return sources.models() as DashboardState[K];
  const read = {
    plugins: (): DashboardState['plugins'] =>
      runtime.plugins().map((p) => ({
        name: p.name,
        version: p.version,
        description: p.description ?? '',
        state: p.state,
        enabled: p.enabled,
        dependencies: p.dependencies,
        provides: p.provides,
        consumes: p.consumes,
        ...(p.error === undefined ? {} : { error: p.error }),
      })),
    services: (): DashboardState['services'] => ({
      services: runtime.services().map((s) => ({
        id: s.id,
        providers: s.providers.map((p) => ({ owner: p.owner, ranking: p.ranking, inFlight: p.inFlight })),
        declaredBy: s.declaredBy,
      })),
      swaps: [...swaps],
    }),
    tasks: (): DashboardState['tasks'] =>
      runtime.tasks().map((t) => ({
        id: t.id,
        plugin: t.plugin,
        everyMs: t.everyMs,
        running: t.running,
        runs: t.runs,
        ...(t.lastStartedAt ? { lastStartedAt: iso(t.lastStartedAt)! } : {}),
        ...(t.lastDurationMs === undefined ? {} : { lastDurationMs: t.lastDurationMs }),
        ...(t.lastOutcome === undefined ? {} : { lastOutcome: t.lastOutcome }),
        ...(t.lastError === undefined ? {} : { lastError: t.lastError }),
        ...(t.nextRunAt ? { nextRunAt: iso(t.nextRunAt)! } : {}),
      })),
    alerts: (): DashboardState['alerts'] =>
      readSource(runtime, 'alerts', 'alerts', () => ({
        alerts: sources.alerts.alerts(),
        rules: sources.alerts.rules(),
        silences: sources.alerts.silences(),
      })),
    report: (): DashboardState['report'] =>
      readSource(runtime, 'db-indexes', 'database report', () => sources.dbIndexes.lastReport() ?? null),
    routes: (): DashboardState['routes'] =>
      readSource(runtime, 'metrics', 'route figures', () => {
        const o = sources.metrics.overview();
        return { slowest: o.slowestRoutes, failing: o.failingRoutes };
      }),
    traces: (): DashboardState['traces'] =>
      readSource(runtime, 'metrics', 'traces', () => ({
        recent: sources.metrics.recentTraces(traces).map(traceRow),
        slow: sources.metrics.slowTraces(traces).map(traceRow),
      })),
    batching: (): DashboardState['batching'] =>
      runtime.plugins().some((p) => p.name === 'batching' && p.state === 'started')
        ? { available: true, value: true }
        : unavailable(runtime, 'batching', 'batch queue figures'),
    models: (): DashboardState['models'] => sources.models(),
  };
  return read[name]() as DashboardState[K];
}

/** Every section, read now. */
export function readState(sources: DashboardSources, swaps: readonly SwapRow[], traces: number): DashboardState {
  return Object.fromEntries(SECTIONS.map((name) => [name, readSection(sources, swaps, traces, name)])) as unknown as DashboardState;
}

/** Keeps the last `max` registry events that changed or withdrew a provider, for the services panel. */
export function swapLog(max = 20): { rows: SwapRow[]; record(event: ServiceEvent, now: number): void } {
  const rows: SwapRow[] = [];
  return {
    rows,
    record(event, now) {
      if (event.type === 'registered') return;
      const row: SwapRow =
        event.type === 'replaced'
          ? {
              time: now,
              refId: event.refId,
              type: event.type,
              ...(event.previous ? { from: event.previous.owner } : {}),
              ...(event.current ? { to: event.current.owner } : {}),
            }
          : { time: now, refId: event.refId, type: event.type, from: event.provider.owner };
      rows.unshift(row);
      rows.length = Math.min(rows.length, max);
    },
  };
}
