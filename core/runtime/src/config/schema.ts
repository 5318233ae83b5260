/**
 * The zod schema of the config file (config/plugboard.yaml). Every key is described: the
 * descriptions feed config/schema.json (`z.toJSONSchema(plugboardConfigSchema, { io: 'input' })`)
 * for editors, and the docs. Each plugin's own keys are checked later by that plugin's schema.
 */
import { z } from 'zod';
import { durationSchema, isDuration, parseDuration } from '@plugboard/plugin-api';

/** Plugin names, which are also their keys under `plugins:`. Matches definePlugin's rule. */
export const pluginNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'Invalid plugin name: use lower-case letters, digits and dashes, starting with a letter');

/** Shortest admin token accepted; `openssl rand -hex 32` makes one of 64. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/**
 * Why an admin token cannot be used, or undefined when it can. The empty string is fine: it
 * means "no token", which turns the admin API off. The token itself is never quoted.
 */
export function adminTokenProblem(token: string): string | undefined {
  if (token === '') return undefined;
  const fix = 'set server.adminToken (or PLUGBOARD_ADMIN_TOKEN) to a secret of at least 16 characters';
  const off = 'or leave it empty to turn the admin API off';
  if (token.trim() === '') return `The admin token is blank (only whitespace), so no request could send it: ${fix}, ${off}`;
  if (/\s/.test(token)) return `The admin token contains whitespace, which a bearer token cannot carry: ${fix}, ${off}`;
  if (token.length < MIN_ADMIN_TOKEN_LENGTH) {
    const length = `${token.length} character${token.length === 1 ? '' : 's'}`;
    return `The admin token is ${length} long, shorter than the ${MIN_ADMIN_TOKEN_LENGTH} required: ${fix} (for example from 'openssl rand -hex 32'), ${off}`;
  }
  return undefined;
}

/**
 * A duration that must be more than zero (a zero timeout would turn the limit off or close every
 * connection). Something that is no duration at all is reported once, by durationSchema.
 */
const positiveDuration = durationSchema.refine((value) => !isDuration(value) || parseDuration(value, 'duration') > 0, {
  message: "Invalid duration: it must be more than 0, such as '500ms', '10s' or '1m'",
});

export const serverConfigSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1').describe('Address the HTTP server binds to. Use 0.0.0.0 to listen on every interface.'),
    port: z.number().int().min(0).max(65535).default(3000).describe('TCP port of the HTTP server (0 picks a free one).'),
    adminToken: z
      .string()
      .superRefine((token, ctx) => {
        const problem = adminTokenProblem(token);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .describe(
        'Bearer token required by /admin/*: at least 16 characters, no whitespace. Empty or unset disables the admin API.',
      ),
    adminMaxFailures: z
      .number()
      .int()
      .positive()
      .default(10)
      .describe(
        'Failed admin authentications one client address may make within adminFailureWindow; past it every admin request from that address answers 429 until the window ends.',
      ),
    adminFailureWindow: positiveDuration
      .default('5m')
      .describe("Window of adminMaxFailures, counted from an address's first failure; a success before the limit clears the count."),
    bodyLimit: z.number().int().positive().default(1_048_576).describe('Largest accepted request body, in bytes.'),
    headersTimeout: positiveDuration
      .default('10s')
      .describe("Time a client has to send a request's headers; a connection that takes longer is closed (Node's own default is 60s)."),
    requestTimeout: positiveDuration
      .default('30s')
      .describe(
        "Time a client has to send a whole request, headers and body; longer answers 408 and closes the connection. At least headersTimeout. Answers (such as event streams) are not limited.",
      ),
    keepAliveTimeout: positiveDuration
      .default('5s')
      .describe('How long an idle keep-alive connection is kept open waiting for its next request.'),
    maxConnections: z
      .number()
      .int()
      .min(0)
      .default(1024)
      .describe('Most connections open at once, idle keep-alive ones included; further connections are closed at once. 0 means no cap.'),
  })
  .superRefine((server, ctx) => {
    // Node refuses a headers timeout longer than the request timeout, which includes the headers.
    if (!isDuration(server.headersTimeout) || !isDuration(server.requestTimeout)) return;
    const headersMs = parseDuration(server.headersTimeout, 'server.headersTimeout');
    const requestMs = parseDuration(server.requestTimeout, 'server.requestTimeout');
    // A zero is reported by positiveDuration already.
    if (requestMs > 0 && headersMs > requestMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['headersTimeout'],
        message: `The headers timeout (${headersMs} ms) is longer than server.requestTimeout (${requestMs} ms), which covers the headers too: shorten server.headersTimeout or lengthen server.requestTimeout`,
      });
    }
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
    statementTimeout: durationSchema
      .default('5s')
      .describe(
        "Longest a statement may run (PostgreSQL's statement_timeout); the client gives up 1 s later on its own, when the server cannot even cancel (frozen). A request that hits it answers 503 database_unavailable. Long maintenance work runs through DatabaseService.withoutTimeout instead.",
      ),
    acquireTimeout: durationSchema
      .default('2s')
      .describe('Longest a request waits for a pooled connection, opening one included, before it answers 503 database_unavailable.'),
    pool: z
      .strictObject({
        max: z.number().int().min(1).max(1000).default(10).describe('Most connections this process opens to PostgreSQL.'),
      })
      .prefault({})
      .describe('The connection pool.'),
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
    watchDebounce: durationSchema
      .default('300ms')
      .describe('Quiet time after a config file edit before it is read; it is applied once two reads this far apart agree.'),
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
