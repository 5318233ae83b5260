/**
 * The zod schema of the config file (config/plugboard.yaml). Every key is described: the
 * descriptions feed config/schema.json (`z.toJSONSchema(plugboardConfigSchema, { io: 'input' })`)
 * for editors, and the docs. Each plugin's own keys are checked later by that plugin's schema.
 */
import { z } from 'zod';
import { durationSchema } from '@plugboard/plugin-api';

/** Plugin names, which are also their keys under `plugins:`. Matches definePlugin's rule. */
export const pluginNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'Invalid plugin name: use lower-case letters, digits and dashes, starting with a letter');

export const serverConfigSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1').describe('Address the HTTP server binds to. Use 0.0.0.0 to listen on every interface.'),
    port: z.number().int().min(0).max(65535).default(3000).describe('TCP port of the HTTP server (0 picks a free one).'),
    adminToken: z
      .string()
      .optional()
      .describe('Bearer token required by /admin/*. Empty or unset disables the admin API.'),
    bodyLimit: z.number().int().positive().default(1_048_576).describe('Largest accepted request body, in bytes.'),
  })
  .describe('The HTTP server that serves the API, /metrics, /admin and the dashboard.');

export const databaseConfigSchema = z
  .strictObject({
    url: z
      .string()
      .optional()
      .describe('PostgreSQL connection URL (postgres://user:pass@host:5432/db). Empty or unset starts an embedded PostgreSQL.'),
    embedded: z
      .strictObject({
        dataDir: z
          .string()
          .min(1)
          .default('.plugboard/pgdata')
          .describe('Data folder of the embedded PostgreSQL, relative to the project root.'),
      })
      .prefault({})
      .describe('The embedded PostgreSQL used when no url is set.'),
  })
  .describe('The PostgreSQL database.');

export const loggingConfigSchema = z
  .strictObject({
    level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('Lowest pino log level written.'),
  })
  .describe('Logging.');

export const kernelConfigSchema = z
  .strictObject({
    startTimeout: durationSchema.default('30s').describe("Time a plugin's setup may take before it counts as failed."),
    stopTimeout: durationSchema.default('30s').describe("Time a plugin's stop hooks may take."),
    drainTimeout: durationSchema
      .default('10s')
      .describe('Time calls in flight on a withdrawn service provider may take before it is disposed anyway.'),
    watch: z.boolean().default(false).describe('Apply edits of the config file while running.'),
    watchDebounce: durationSchema.default('300ms').describe('Quiet time after a config file edit before it is applied.'),
  })
  .describe('The plugin kernel.');

/**
 * One plugin's section. The reserved keys belong to the loader; every other key is the plugin's
 * own config, checked by the plugin's schema once the plugin is loaded.
 */
export const pluginSectionSchema = z
  .looseObject({
    enabled: z.boolean().default(true).describe('Whether the plugin runs.'),
    from: z
      .string()
      .min(1)
      .optional()
      .describe("Where to load the plugin from: a path relative to the config file's folder, or an npm package name. Default: plugins/<name> in the project root."),
    onFailure: z
      .enum(['abort', 'continue'])
      .default('abort')
      .describe('When the plugin fails to start: abort the whole start, or log and continue without it.'),
    startTimeout: durationSchema.optional().describe('Overrides kernel.startTimeout for this plugin.'),
    stopTimeout: durationSchema.optional().describe('Overrides kernel.stopTimeout for this plugin.'),
  })
  .describe("A plugin's section: the loader's keys, and the plugin's own config.");

export const plugboardConfigSchema = z
  .strictObject({
    server: serverConfigSchema.prefault({}),
    database: databaseConfigSchema.prefault({}),
    logging: loggingConfigSchema.prefault({}),
    kernel: kernelConfigSchema.prefault({}),
    plugins: z
      .record(pluginNameSchema, pluginSectionSchema)
      .default({})
      .describe('The plugins, by name, in start order where dependencies allow.'),
  })
  .describe('Plugboard config file.');

export type PlugboardConfig = z.output<typeof plugboardConfigSchema>;
export type PlugboardConfigInput = z.input<typeof plugboardConfigSchema>;
export type ServerConfig = z.output<typeof serverConfigSchema>;
export type DatabaseConfig = z.output<typeof databaseConfigSchema>;
export type LoggingConfig = z.output<typeof loggingConfigSchema>;
export type KernelConfig = z.output<typeof kernelConfigSchema>;
export type PluginSection = z.output<typeof pluginSectionSchema>;
