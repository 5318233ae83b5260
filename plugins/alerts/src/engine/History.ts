/**
 * The samples the engine evaluates over: one snapshot of the metrics reader per evaluation, kept
 * for the longest window any rule reads (plus one interval), of the families rules read only.
 * Times are the engine's clock, not the reader's, so a test clock drives windows too.
 */
import type { MetricKind, MetricsSnapshot } from '@plugboard/plugin-metrics';
import { labelNameOf } from '../expr/ast.js';
import { labelsKey, type Labels, type Sample, type SeriesData, type SeriesSource } from '../expr/evaluate.js';

interface StoredFamily {
  kind: MetricKind;
  points: Map<string, { labels: Labels; sample: Sample }>;
}

interface Entry {
  t: number;
  families: Map<string, StoredFamily>;
}

export class History implements SeriesSource {
  private entries: Entry[] = [];

  /** `keepMs`: how far back samples are kept. */
  constructor(private keepMs: number) {}

  setKeep(keepMs: number): void {
    this.keepMs = keepMs;
  }

  /** Adds a snapshot taken at `t` (engine clock), keeping only the families in `wanted`. */
  add(t: number, snapshot: MetricsSnapshot, wanted: ReadonlySet<string>): void {
    const families = new Map<string, StoredFamily>();
    for (const family of snapshot.families) {
      if (!wanted.has(family.name)) continue;
      const stored = families.get(family.name) ?? { kind: family.kind, points: new Map() };
      for (const point of family.points) {
        const labels: Record<string, string> = {};
        for (const [k, v] of Object.entries(point.attributes)) labels[labelNameOf(k)] = String(v);
        const sample: Sample = point.histogram ? { t, histogram: point.histogram } : { t, value: point.value ?? 0 };
        stored.points.set(labelsKey(labels), { labels, sample });
      }
      families.set(family.name, stored);
    }
    // A clock moved backwards (a test resetting it) starts the history over rather than mixing times.
    if (this.entries.length > 0 && t < this.entries.at(-1)!.t) this.entries = [];
    this.entries.push({ t, families });
    const oldest = t - this.keepMs;
    while (this.entries.length > 1 && this.entries[0]!.t < oldest) this.entries.shift();
  }

  time(): number {
    return this.entries.at(-1)?.t ?? 0;
  }

  kindOf(metric: string): MetricKind | undefined {
    return this.entries.at(-1)?.families.get(metric)?.kind;
  }

  series(metric: string, rangeMs: number): SeriesData[] {
    const latest = this.entries.at(-1);
    const family = latest?.families.get(metric);
    if (!latest || !family) return [];
    const from = latest.t - rangeMs;
    const window = rangeMs === 0 ? [latest] : this.entries.filter((e) => e.t >= from);
    return [...family.points].map(([key, { labels }]) => ({
      labels,
      samples: window.flatMap((e) => {
        const point = e.families.get(metric)?.points.get(key);
        return point ? [point.sample] : [];
      }),
    }));
  }
}
