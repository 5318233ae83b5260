/**
 * Reads and validates the config file and resolves the plugins it names. Every problem is
 * collected first (top-level keys, plugins that cannot be found or do not support this core,
 * each plugin's own section) and reported in one `configInvalid` error, so an operator fixes them
 * in one pass. Only module imports run here; no plugin's setup does.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import { loadConfigText } from '../config/loadConfigText.js';
import { configProblemsError, issueProblems } from '../config/problems.js';
import { plugboardConfigSchema, pluginNameSchema, pluginSectionSchema } from '../config/schema.js';
import type { DatabaseConfig, LoggingConfig, ServerConfig } from '../config/schema.js';
import { PlugboardError } from '@plugboard/plugin-api';
import { RESERVED_PLUGIN_KEYS } from '@plugboard/plugin-api/internal';
import type { FailurePolicy, PluginDefinition } from '@plugboard/plugin-api';
import { parseDuration } from '@plugboard/plugin-api';
import { resolvePlugin } from './resolvePlugin.js';

/** A plugin of the config, resolved and with its section validated by its own schema. */
export interface LoadedPlugin {
  name: string;
  enabled: boolean;
  onFailure: FailurePolicy;
  /** The section's `startTimeout`, when set; else kernel.startTimeout applies. */
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
  definition: PluginDefinition;
  /** The folder or file it was imported from (absolute), or its npm package name. */
  source: string;
  /** The plugin's own keys, parsed by its schema (defaults applied). */
  config: unknown;
}

export interface LoadedConfig {
  /** The config file, absolute. */
  path: string;
  projectRoot: string;
  server: ServerConfig;
  /**
   * `embedded.dataDir` is absolute (resolved against the project root); the limits are in
   * milliseconds (unset in hand-made configs: no limits).
   */
  database: Pick<DatabaseConfig, 'url' | 'embedded'> & { statementTimeoutMs?: number; acquireTimeoutMs?: number; poolMax?: number };
  logging: LoggingConfig;
  kernel: { startTimeoutMs: number; stopTimeoutMs: number; drainTimeoutMs: number; watch: boolean; watchDebounceMs: number };
  /** Every plugin that could be loaded, in config order; disabled ones have `enabled: false`. */
  plugins: Map<string, LoadedPlugin>;
  /** Disabled plugins that could not be loaded (not found, invalid, or not for this core); skipped. */
  unresolved: string[];
  /**
   * The top-level sections the file writes (`server`, `database`, ...; not `plugins`), so a reload
   * can tell a section left out from one never written. Absent in configs made by hand.
   */
  sections?: readonly string[];
}

export interface LoadConfigOptions {
  /** The config file. */
  path: string;
  /** Default: `findProjectRoot(<the config file's folder>)`. */
  projectRoot?: string;
  /** For `${NAME}` substitution. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** This core's version, checked against each plugin's `core` range. */
  coreVersion: string;
  /** Replaces plugin resolution (tests). */
  resolve?: typeof resolvePlugin;
  /** The file's content, already read (the config watcher's settled read); default: read `path`. */
  text?: string;
}

/**
 * @throws PlugboardError `configInvalid` listing every problem as `<dotted.path>: <message>`
 *
 * @example
 * const config = await loadConfig({ path: defaultConfigPath(opts.config), coreVersion: '0.1.0' });
 * for (const plugin of config.plugins.values()) if (plugin.enabled) console.log(plugin.name, plugin.source);
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const file = path.resolve(options.path);
  const configDir = path.dirname(file);
  const projectRoot = path.resolve(options.projectRoot ?? findProjectRoot(configDir));
  const resolve = options.resolve ?? resolvePlugin;
  const raw = withEmptyValues(await loadConfigText(file, options.env ?? process.env, options.text));

  const top = plugboardConfigSchema.safeParse(raw);
  const problems = top.success ? [] : issueProblems(top.error.issues);
  const plugins = new Map<string, LoadedPlugin>();
  const unresolved: string[] = [];

  const rawPlugins = isRecord(raw) && isRecord(raw.plugins) ? raw.plugins : {};
  for (const [name, value] of Object.entries(rawPlugins)) {
    const section = pluginSectionSchema.safeParse(value ?? {});
    // Bad names and bad reserved keys are already among the top-level problems.
    if (!pluginNameSchema.safeParse(name).success || !section.success) continue;
    const where = `plugins.${name}`;
    let definition: PluginDefinition;
    let source: string;
    try {
      ({ definition, source } = await resolve(name, section.data.from, { configDir, projectRoot }));
    } catch (err) {
      if (!PlugboardError.is(err)) throw err;
      if (section.data.enabled) problems.push(`${where}: ${err.message}`);
      else unresolved.push(name);
      continue;
    }
    if (!semver.satisfies(options.coreVersion, definition.core, { includePrerelease: true })) {
      if (section.data.enabled) {
        problems.push(
          `${where}: plugin '${name}' ${definition.version} supports core '${definition.core}', but this is core ${options.coreVersion}. Upgrade the plugin or core.`,
        );
      } else {
        unresolved.push(name);
      }
      continue;
    }
    const own = await sectionSchema(definition.config).safeParseAsync(ownKeys(section.data));
    if (!own.success) {
      problems.push(...issueProblems(own.error.issues, ['plugins', name]));
      continue;
    }
    plugins.set(name, {
      name,
      enabled: section.data.enabled,
      onFailure: section.data.onFailure,
      ...(section.data.startTimeout === undefined ? {} : { startTimeoutMs: parseDuration(section.data.startTimeout, `${where}.startTimeout`) }),
      ...(section.data.stopTimeout === undefined ? {} : { stopTimeoutMs: parseDuration(section.data.stopTimeout, `${where}.stopTimeout`) }),
      definition,
      source,
      config: own.data,
    });
  }

  if (problems.length > 0 || !top.success) throw configProblemsError(file, problems);
  const { server, database, logging, kernel } = top.data;
  return {
    path: file,
    projectRoot,
    server: { ...server, adminToken: server.adminToken || undefined },
    database: {
      url: database.url || undefined,
      embedded: { dataDir: path.resolve(projectRoot, database.embedded.dataDir) },
      statementTimeoutMs: parseDuration(database.statementTimeout, 'database.statementTimeout'),
      acquireTimeoutMs: parseDuration(database.acquireTimeout, 'database.acquireTimeout'),
      poolMax: database.pool.max,
    },
    logging,
    kernel: {
      startTimeoutMs: parseDuration(kernel.startTimeout, 'kernel.startTimeout'),
      stopTimeoutMs: parseDuration(kernel.stopTimeout, 'kernel.stopTimeout'),
      drainTimeoutMs: parseDuration(kernel.drainTimeout, 'kernel.drainTimeout'),
      watch: kernel.watch,
      watchDebounceMs: parseDuration(kernel.watchDebounce, 'kernel.watchDebounce'),
    },
    plugins,
    unresolved,
    sections: isRecord(raw) ? Object.keys(raw).filter((key) => key !== 'plugins') : [],
  };
}

/**
 * The project a config file belongs to, which holds `plugins/` and `.plugboard/`: the nearest
 * folder at or above the config file's folder with a `package.json` (`config/plugboard.yaml` in
 * a project -> the project), or else the current working directory (a config kept elsewhere, as
 * in `/etc/plugboard/`, belongs to the project it is run from).
 *
 * @example
 * findProjectRoot('/srv/app/config') // '/srv/app' when /srv/app/package.json exists
 */
export function findProjectRoot(configDir: string, cwd: string = process.cwd()): string {
  for (let dir = path.resolve(configDir); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

/**
 * The schema a plugin's section is checked with. A plain `z.object` is made strict, so a
 * misspelt key is reported like one in core's sections instead of silently dropped; a plugin that
 * wants extra keys says so with `z.looseObject` or a catchall, which is kept as written.
 */
function sectionSchema(schema: z.ZodType | undefined): z.ZodType {
  if (schema === undefined) return z.strictObject({});
  if (schema instanceof z.ZodObject && schema._zod.def.catchall === undefined) return schema.strict();
  return schema;
}

/** The section without the loader's keys: what the plugin's schema sees. */
function ownKeys(section: Record<string, unknown>): Record<string, unknown> {
  const reserved: readonly string[] = RESERVED_PLUGIN_KEYS;
  return Object.fromEntries(Object.entries(section).filter(([key]) => !reserved.includes(key)));
}

/**
 * An empty YAML value is null. `server:` or `conversations:` with nothing after it means "all
 * defaults", and an empty core setting (`adminToken: ${PLUGBOARD_ADMIN_TOKEN:-}`) means unset.
 * Plugins' own keys are left as written: their schemas decide what null means.
 */
function withEmptyValues(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'plugins') out[key] = isRecord(value) ? mapValues(value, (v) => v ?? {}) : (value ?? {});
    else out[key] = value === null ? {} : withoutNulls(value);
  }
  return out;
}

function withoutNulls(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const entries = Object.entries(value).filter(([, v]) => v !== null);
  return Object.fromEntries(entries.map(([k, v]) => [k, withoutNulls(v)]));
}

function mapValues(record: Record<string, unknown>, fn: (value: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v)]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
