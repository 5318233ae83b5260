/**
 * The `plugins.metrics` section of the config. Every key has a default, so an empty section
 * runs: Prometheus at `/metrics`, tracing of every request, an hour of history.
 */
import { durationSchema, parseDuration } from '@plugboard/plugin-api';
import { z } from 'zod';

/** The semantic conventions' advice for HTTP and database durations, in seconds. */
export const DEFAULT_SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

const ascending = (values: readonly number[]): boolean => values.every((v, i) => i === 0 || v > values[i - 1]!);

export const metricsConfigSchema = z.object({
  serviceName: z
    .string()
    .min(1)
    .default('plugboard')
    .describe('service.name of the resource; OTEL_SERVICE_NAME, or service.name in OTEL_RESOURCE_ATTRIBUTES, overrides it.'),
  resourceAttributes: z
    .record(z.string(), z.string())
    .default({})
    .describe('More resource attributes (deployment.environment.name: prod); OTEL_RESOURCE_ATTRIBUTES overrides keys it also sets.'),
  prometheus: z
    .object({
      enabled: z.boolean().default(true).describe('Serve Prometheus text at the path below, on the app port.'),
      path: z.string().startsWith('/').default('/metrics').describe('Where Prometheus text is served.'),
    })
    .prefault({}),
  histogramBuckets: z
    .array(z.number().positive())
    .min(1)
    .refine(ascending, { message: 'histogramBuckets must be strictly ascending (in seconds), for example [0.005, 0.01, 0.1, 1].' })
    .default(DEFAULT_SECONDS_BUCKETS)
    .describe('Upper bounds, in seconds, of the buckets of every histogram whose unit is s.'),
  slowQueryThreshold: durationSchema.default('500ms').describe('A database statement that takes at least this long counts as slow.'),
  tracing: z
    .object({
      enabled: z.boolean().default(true).describe('Install a TracerProvider: server spans per request, client spans per query.'),
      sampleRatio: z
        .number()
        .min(0)
        .max(1)
        .default(1)
        .describe('Share of new traces sampled (parent-based); OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG override it.'),
      ringSize: z.number().int().min(1).max(100_000).default(500).describe('Recent traces kept in memory for /api/traces/recent.'),
      maxSpansPerTrace: z.number().int().min(1).max(10_000).default(200).describe('Spans kept per trace; later ones are dropped.'),
      recentPerSecond: z
        .number()
        .min(0)
        .max(100_000)
        .default(50)
        .describe('Traces admitted to the recent ring per second at most (one second of burst); traces with an error always are.'),
      slowTraces: z.number().int().min(1).max(10_000).default(50).describe('How many of the slowest traces /api/traces/slow keeps.'),
      slowWindow: durationSchema.default('10m').describe('How far back /api/traces/slow looks: at least half of it, at most all.'),
    })
    .prefault({}),
  history: z
    .object({
      interval: durationSchema.default('1s').describe('How often the main series are sampled.'),
      length: durationSchema.default('1h').describe('How much history of the main series is kept.'),
    })
    .prefault({}),
  otlp: z
    .object({
      exportInterval: durationSchema
        .default('60s')
        .describe('How often metrics are pushed over OTLP when an OTLP endpoint is set; OTEL_METRIC_EXPORT_INTERVAL (ms) overrides it.'),
    })
    .prefault({}),
  system: z
    .object({
      enabled: z.boolean().default(true).describe('Process, system, event-loop, GC, disk and database-size metrics.'),
      dataDir: z.string().default('.plugboard').describe('A folder on the filesystem whose use is reported (relative to the working directory).'),
      databaseSizeInterval: durationSchema.default('30s').describe('How often pg_database_size is read.'),
    })
    .prefault({}),
});

export type MetricsConfig = z.infer<typeof metricsConfigSchema>;

/** A duration of the config in milliseconds; `key` names it in the error of a bad one. */
export function millis(duration: string | number, key: string): number {
  return parseDuration(duration, `plugins.metrics.${key}`);
}
