/** The `plugins.dashboard` config section. */
import { durationSchema } from '@plugboard/plugin-api';
import { z } from 'zod';

export const dashboardConfigSchema = z.strictObject({
  public: z
    .boolean()
    .default(false)
    .describe(
      'Serve the dashboard without the admin token even when the server listens beyond the loopback address. Actions (enable, disable, silences) always need the token.',
    ),
  prometheusUrl: z
    .url({ protocol: /^https?$/, error: "Invalid prometheusUrl: give Prometheus's base URL, such as 'http://127.0.0.1:9090'" })
    .optional()
    .describe("Base URL of a Prometheus that scrapes every instance; turns on the fleet view (query_range through the dashboard's server)."),
  fleetWindow: z
    .enum(['15m', '1h', '6h'])
    .default('1h')
    .describe('How far back the fleet view reads from Prometheus.'),
  streamInterval: z
    .number()
    .int()
    .min(250)
    .max(10_000)
    .default(1000)
    .describe('Milliseconds between two events of /dashboard/stream.'),
  modelsEvery: durationSchema
    .default('10s')
    .describe('How often the AI models panel reads conversations per model over the last hour (one database query).'),
  traces: z.number().int().min(1).max(50).default(10).describe('How many recent and slowest traces the traces panel shows.'),
});

export type DashboardConfig = z.infer<typeof dashboardConfigSchema>;
