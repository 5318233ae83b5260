/**
 * The plugin's HTTP surface on the app's port: Prometheus text, the JSON overview and the traces.
 */
import type { Hono } from 'hono';
import { parseQuery } from '@plugboard/plugin-api';
import { z } from 'zod';
import { serializePrometheus } from '../prometheus/serialize.js';
import type { SdkMetricsReader } from '../reader/SdkMetricsReader.js';

const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) });

/**
 * @example
 * metricsRoutes(ctx.http, reader, { prometheusPath: '/metrics' });
 */
export function metricsRoutes(app: Hono, reader: SdkMetricsReader, options: { prometheusPath: string | undefined }): void {
  if (options.prometheusPath !== undefined) {
    app.get(options.prometheusPath, async (c) => {
      const { families, resource } = await reader.collectScoped();
      return c.body(serializePrometheus(families, resource as Record<string, string>), 200, {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
      });
    });
  }
  app.get('/api/metrics', (c) => c.json(reader.overview()));
  app.get('/api/traces/recent', (c) => c.json({ traces: reader.recentTraces(parseQuery(c, limitQuery).limit) }));
  app.get('/api/traces/slow', (c) => c.json({ traces: reader.slowTraces(parseQuery(c, limitQuery).limit) }));
}
