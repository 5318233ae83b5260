import type { Meter, Tracer } from '@opentelemetry/api';
import type { Hono } from 'hono';
import type { Newable } from 'inversify';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { z } from 'zod';
import type { DatabaseService } from '../services/DatabaseService.js';
import type { ServiceRef } from '../services/ServiceRef.js';
import type { ProviderRegistration, ServiceEventListener } from '../services/types.js';
import type { PluginTasks } from '../tasks/types.js';

/** One schema migration of a plugin, run by umzug in plugin start order, never twice. */
export interface PluginMigration {
  /** Unique within the plugin and sortable: `'0001-create-users'`. Stored as `<plugin>:<name>`. */
  name: string;
  up(params: MigrationParams): Promise<void>;
  down?(params: MigrationParams): Promise<void>;
}

export interface MigrationParams {
  sequelize: Sequelize;
}

/**
 * What a plugin declares. Build it with {@link definePlugin}; the module's default export must be
 * the result.
 */
export interface PluginDefinition<S extends z.ZodType = z.ZodType> {
  /** The plugin's name; also its key under `plugins:` in the config. Lower-case, dashes allowed. */
  name: string;
  /** The plugin's own semver version. */
  version: string;
  /** Semver range of `@plugboard/core` this plugin supports, for example `'^0.1.0'`. */
  core: string;
  description?: string;
  /** Other plugins this one needs started first: name -> semver range. */
  dependsOn?: Record<string, string>;
  /** Refs this plugin calls. Each must have a provider among the enabled plugins (or core). */
  consumes?: readonly ServiceRef<any>[];
  /** Refs this plugin calls when someone provides them; a missing provider is not an error. */
  optionalConsumes?: readonly ServiceRef<any>[];
  /** Refs this plugin provides (with `ctx.provide`) once started. */
  provides?: readonly ServiceRef<any>[];
  /**
   * Zod schema of the plugin's section in the config file (every key except the reserved
   * `enabled`, `from`, `onFailure`, `startTimeout` and `stopTimeout`). Give defaults, so an empty
   * section is valid.
   */
  config?: S;
  /** Schema migrations, run before `setup` on every start, each at most once per database. */
  migrations?: readonly PluginMigration[];
  /** Subcommands the plugin adds to the `plugboard` CLI (`plugboard seed ...`). */
  commands?: readonly PluginCommand<z.output<S>>[];
  /** Registers everything the plugin does. Whatever it registers through `ctx` is undone on stop. */
  setup(ctx: PluginContext<z.output<S>>): void | Promise<void>;
}

/**
 * A `plugboard <name>` subcommand contributed by a plugin. It runs without starting the kernel:
 * it gets the database (migrated for the enabled plugins) and the plugin's validated config.
 * A name of two words (`'db report'`) makes a subcommand of a group (`plugboard db report`); the
 * group is listed once however many subcommands the plugin gives it.
 *
 * @example
 * {
 *   name: 'db whatif',
 *   description: 'show what a candidate index would change',
 *   arguments: [{ name: 'statement', description: 'one CREATE INDEX statement' }],
 *   options: [{ flags: '--json', description: 'print JSON' }],
 *   async run(options, ctx) { ctx.out.write(`${ctx.args[0]}\n`); },
 * }
 */
export interface PluginCommand<C = unknown> {
  /** The subcommand: one or two words of lower-case letters and dashes (`'seed'`, `'db report'`). */
  name: string;
  /** One line for `plugboard --help`. */
  description: string;
  /** Positional arguments, in order; each is required unless `optional`. Their values are `ctx.args`. */
  arguments?: readonly { name: string; description: string; optional?: boolean }[];
  /** Options in commander's syntax: `{ flags: '--users <n>', description: 'users to create', default: '1000' }`. */
  options?: readonly { flags: string; description: string; default?: string }[];
  run(options: Record<string, string | boolean | undefined>, ctx: CommandContext<C>): Promise<void>;
}

export interface CommandContext<C = unknown> {
  config: C;
  logger: Logger;
  database: DatabaseService;
  /** The positional arguments given, in the order of `PluginCommand.arguments`. */
  args: readonly string[];
  /** Where to print progress and results (a TTY when interactive). */
  out: NodeJS.WriteStream;
}

/** Options for {@link PluginContext.provide}. */
export interface ProvideOptions {
  /** Higher wins; ties go to the oldest. Default 0. */
  ranking?: number;
  /** Runs after the provider is withdrawn and drained. */
  dispose?: () => void | Promise<void>;
}

/**
 * Everything a plugin gets in `setup`. All registrations made through it (providers, routes,
 * tasks, event listeners, stop hooks) are undone when the plugin stops, in reverse order.
 */
export interface PluginContext<C = unknown> {
  /** The plugin's name. */
  readonly name: string;
  /** The plugin's validated config section (with the schema's defaults applied). */
  readonly config: C;
  /** A pino logger whose records carry `plugin: <name>`. */
  readonly logger: Logger;
  /** An OpenTelemetry meter named after the plugin. */
  readonly meter: Meter;
  /** An OpenTelemetry tracer named after the plugin. */
  readonly tracer: Tracer;
  /**
   * The plugin's Hono app. Routes are served on the app's port with the path given here
   * (`ctx.http.get('/api/users/:id', ...)`) while the plugin runs, and removed when it stops.
   */
  readonly http: Hono;
  /** Background tasks that stop with the plugin. */
  readonly tasks: PluginTasks;
  /** Aborted when the plugin starts stopping. */
  readonly signal: AbortSignal;
  /**
   * The live handle of a ref this plugin declared in `consumes`, `optionalConsumes` or
   * `provides`, or of a core service. Any other ref is a `serviceUndeclared` error.
   */
  get<T extends object>(ref: ServiceRef<T>): T;
  /** Registers `impl` as a provider of a ref declared in `provides`; withdrawn on stop. */
  provide<T extends object>(ref: ServiceRef<T>, impl: T, options?: ProvideOptions): ProviderRegistration<T>;
  /**
   * The live handle of the provider just below this plugin's own, for a ref declared in
   * `provides`: the best provider of another plugin ranked below the lowest of this plugin's
   * providers of the ref. A decorator (a provider that tees, audits, encrypts or caches) calls
   * through it to delegate, instead of `ctx.get(ref)`, which routes back to itself. A chain of
   * decorators runs each once, top down, and cannot loop. Like every handle it follows
   * registrations and swaps below; calls a plugin still runs after its provider was withdrawn keep
   * going below where it stood. A call with nothing below throws `serviceUnavailable`; a ref not
   * in `provides` is a `serviceUndeclared` error.
   *
   * @example
   * provides: [conversationWriterRef],
   * setup(ctx) {
   *   const below = ctx.next(conversationWriterRef);
   *   ctx.provide(conversationWriterRef, {
   *     async write(c) {
   *       const stored = await below.write(c);
   *       if (stored) audit.record(c.id);
   *       return stored;
   *     },
   *   }, { ranking: 10 });
   * }
   */
  next<T extends object>(ref: ServiceRef<T>): T;
  /**
   * Builds an `@injectable()` class in the plugin's own inversify scope: constructor parameters
   * marked `@inject(ref)` receive live handles of declared refs; other classes made by `create`
   * can be injected by their class.
   */
  create<T>(cls: Newable<T>): T;
  /** Subscribes to service registry events while the plugin runs. */
  onServiceEvent(listener: ServiceEventListener): void;
  /** Runs `fn` when the plugin stops (last registered runs first). */
  onStop(fn: () => void | Promise<void>): void;
}

/** The failure policy of a plugin: `abort` stops the whole start, `continue` logs and goes on. */
export type FailurePolicy = 'abort' | 'continue';

/** The life of a plugin in a running kernel. */
export type PluginState = 'disabled' | 'starting' | 'started' | 'failed' | 'stopping' | 'stopped';
