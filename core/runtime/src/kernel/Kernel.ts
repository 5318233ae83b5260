import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { PlugboardError } from '@plugboard/plugin-api';
import { quoteList } from '@plugboard/plugin-api/internal';
import type { DependencyGraph } from '../graph/DependencyGraph.js';
import { graphNode } from '../graph/graphNode.js';
import { stranded } from '../graph/stranded.js';
import { coreServices, parseDuration, systemClock, type Clock } from '@plugboard/plugin-api';
import { CORE_SERVICE_IDS } from '@plugboard/plugin-api/internal';
import { createRuntimeView, createServerAccess, type RuntimeSource } from '../services/RuntimeView.js';
import { ServiceRegistry } from '../services/ServiceRegistry.js';
import type { ServiceEventListener, ServiceInfo } from '@plugboard/plugin-api';
import { TaskScheduler } from '../tasks/TaskScheduler.js';
import { type CoreMetrics, createCoreMetrics } from '../telemetry/coreMetrics.js';
import type { TaskStatus } from '@plugboard/plugin-api';
import { serialize } from '../util/serialize.js';
import { errorMessage } from '../util/errorMessage.js';
import { graphOfConfig, knownRefIds } from './configGraph.js';
import type { LoadedConfig, LoadedPlugin } from './loadConfig.js';
import { assertReloadSafe } from './guardReload.js';
import { HeldTasks } from './HeldTasks.js';
import { planReload } from './planReload.js';
import { PluginRuntime, type RuntimeDeps } from './PluginRuntime.js';
import { pluginInfo } from './pluginInfo.js';
import { RequestCounter } from './requestCounter.js';
import type { PluginInfo } from '@plugboard/plugin-api';
import type { ChangeReport } from './types.js';

export interface KernelOptions {
  /** The validated config with every plugin resolved, from `loadConfig`. */
  config: LoadedConfig;
  logger: Logger;
  /** Runs before each plugin's setup: the app host runs the plugin's migrations here. */
  beforeSetup?: RuntimeDeps['beforeSetup'];
  /** Reads the config again for `reload()`. Without it, `reload()` needs a config passed in. */
  loadConfig?: () => Promise<LoadedConfig>;
  /** What `coreServices.clock` gives plugins; the system clock unless a test passes its own. */
  clock?: Clock;
}

/**
 * Runs plugins: starts them in dependency order, stops them in reverse, and applies runtime
 * changes (enable, disable, reload) one at a time.
 *
 * @example
 * const kernel = new Kernel({ config: await loadConfig({ path, coreVersion: CORE_VERSION }), logger });
 * await kernel.start();
 * await kernel.disable('batching');
 * await kernel.stop();
 */
export class Kernel implements RuntimeSource {
  readonly registry: ServiceRegistry;
  readonly scheduler: TaskScheduler;
  readonly #logger: Logger;
  readonly #options: KernelOptions;
  readonly #exclusive = serialize();
  readonly #metrics: CoreMetrics;
  #config: LoadedConfig;
  /** Plugins meant to run: the config's enabled ones, as changed by enable/disable since. */
  #enabled = new Set<string>();
  #graph: DependencyGraph | undefined;
  #order: string[] = [];
  readonly #runtimes = new Map<string, PluginRuntime>();
  readonly #requests = new WeakMap<PluginRuntime, RequestCounter>();
  #declared: { refId: string; plugin: string }[] = [];
  /** The plugins each cascade disable stopped, in start order: what `enable(name, { cascade })` starts again. */
  readonly #cascaded = new Map<string, string[]>();
  /** Where the HTTP server listens, once the app host told us (`listeningAt`). */
  #address: { host: string; port: number } | undefined;

  constructor(options: KernelOptions) {
    this.#options = options;
    this.#config = options.config;
    this.#logger = options.logger;
    this.registry = new ServiceRegistry({ drainTimeoutMs: options.config.kernel.drainTimeoutMs, logger: options.logger });
    this.#metrics = createCoreMetrics({ registry: this.registry, plugins: () => this.plugins() });
    // Tasks run on core.clock's live handle: the clock option, or whatever a test provides above it.
    this.scheduler = new TaskScheduler({ logger: options.logger, clock: this.registry.handle(coreServices.clock), onRunEnd: (status) => this.#metrics.taskRunEnded(status) });
    // A view, not the kernel: plugins read the runtime; changing it is the operator's.
    const { server } = options.config;
    const access = createServerAccess({
      token: server.adminToken,
      maxFailures: server.adminMaxFailures,
      failureWindowMs: parseDuration(server.adminFailureWindow, 'server.adminFailureWindow'),
      address: () => this.#address ?? { host: server.host, port: server.port },
    });
    this.registry.register(coreServices.runtime, createRuntimeView(this, access), { owner: 'core' });
    this.registry.register(coreServices.clock, options.clock ?? systemClock, { owner: 'core' });
  }

  get config(): LoadedConfig {
    return this.#config;
  }

  /** The app host says where its HTTP server listens (the bound port), for `core.runtime`'s `server()`. */
  listeningAt(address: { host: string; port: number }): void {
    this.#address = { ...address };
  }

  /**
   * Starts every enabled plugin, independent ones concurrently. When a plugin whose policy is
   * `abort` fails, stops what started and throws; `continue` plugins are logged and skipped.
   */
  start(): Promise<void> {
    return this.#exclusive(async () => {
      const enabled = [...this.#config.plugins.values()].filter((p) => p.enabled).map((p) => p.name);
      this.#graph = this.#buildGraph(enabled);
      this.#enabled = new Set(enabled);
      this.#declareProviders();
      const report = emptyReport();
      try {
        await this.#startPlugins(enabled, report, { abortOnFailure: true });
      } catch (err) {
        await this.#stopPlugins([...this.#runtimes.keys()], emptyReport());
        throw err;
      }
    });
  }

  /** Stops every running plugin in reverse start order, then every task, then the kernel's metrics. */
  stop(): Promise<void> {
    return this.#exclusive(async () => {
      await this.#stopPlugins([...this.#runtimes.keys()], emptyReport());
      await this.scheduler.stopAll();
      this.#metrics.close();
    });
  }

  /**
   * Starts a plugin that is in the config but not running. Its dependencies must be running.
   * With `cascade`, then starts again, in dependency order, the plugins that a cascade disable of
   * this plugin stopped (those the kernel remembers, not every dependent: one the operator
   * disabled by itself stays off); a reload, or disabling one of them by itself, forgets them.
   */
  enable(name: string, options: { cascade?: boolean } = {}): Promise<ChangeReport> {
    return this.#exclusive(async () => {
      this.#loaded(name);
      const report = emptyReport();
      const again = options.cascade ? (this.#cascaded.get(name) ?? []) : [];
      const wanted = [name, ...again].filter((n) => this.#runtimes.get(n)?.state !== 'started');
      if (wanted.length > 0) {
        // A plugin the config enables but that failed to start stays enabled (and the process not
        // ready) whatever a retry does; one enabled only by this call is dropped again if it fails.
        const wasEnabled = new Set(this.#enabled);
        this.#graph = this.#buildGraph([...this.#enabled, ...wanted]);
        for (const n of wanted) this.#enabled.add(n);
        await this.#startPlugins(wanted, report, { abortOnFailure: false });
        for (const { plugin } of report.failed) if (!wasEnabled.has(plugin)) this.#enabled.delete(plugin);
      }
      if (options.cascade && this.#runtimes.get(name)?.state === 'started') this.#cascaded.delete(name);
      return report;
    });
  }

  /**
   * Stops a running plugin. Plugins that could not run without it (declared dependents, and
   * consumers of a service no other running plugin provides) make this refuse, naming them,
   * unless `cascade` stops them first. Consumers another provider still serves keep running.
   */
  disable(name: string, options: { cascade?: boolean } = {}): Promise<ChangeReport> {
    return this.#exclusive(async () => {
      this.#loaded(name);
      const report = emptyReport();
      // Disabled by itself, it is no longer one that an enable with cascade brings back.
      for (const [by, names] of this.#cascaded) this.#cascaded.set(by, names.filter((n) => n !== name));
      if (!this.#enabled.has(name)) return report;
      const enabledNodes = [...this.#enabled].map((n) => graphNode(this.#loaded(n).definition));
      const dependents = stranded(enabledNodes, name, CORE_SERVICE_IDS);
      if (dependents.length > 0 && !options.cascade) {
        throw new PlugboardError(
          'invalidState',
          `Plugin '${name}' cannot be disabled while ${quoteList(dependents)} ${dependents.length === 1 ? 'depends' : 'depend'} on it. Disable ${dependents.length === 1 ? 'it' : 'them'} first, or disable with cascade to stop ${dependents.length === 1 ? 'it' : 'them'} too.`,
          { details: { plugin: name, dependents } },
        );
      }
      const stopping = [...dependents, name];
      await this.#stopPlugins(stopping, report);
      for (const n of stopping) this.#enabled.delete(n);
      if (dependents.length > 0) this.#cascaded.set(name, this.#order.filter((n) => dependents.includes(n)));
      this.#graph = this.#buildGraph([...this.#enabled]);
      return report;
    });
  }

  /**
   * Applies a new config (read again from disk when none is given): stops plugins no longer
   * enabled, starts newly enabled ones, restarts those whose section changed. A config that
   * does not validate, whose plugins do not form a valid graph, or that would stop a running
   * plugin by leaving its section out (or enables none at all) is rejected whole and nothing
   * changes: stopping a plugin through the file takes `plugins.<name>.enabled: false`.
   */
  reload(next?: LoadedConfig): Promise<ChangeReport> {
    return this.#exclusive(async () => {
      const config = next ?? (await this.#readConfig());
      const running = new Set(this.#runningNames());
      assertReloadSafe(this.#config, config, running);
      const plan = planReload(this.#config, config, running);
      // The file is the truth from here on: what it enables runs, whatever cascades stopped.
      this.#cascaded.clear();
      // Of the new config: plugins it adds must be in the graph, and their dependencies checked.
      const graph = graphOfConfig(config, plan.enabled);
      for (const key of plan.needsRestart) {
        this.#logger.warn(`Config key '${key}' changed; it takes effect when the process restarts.`);
      }
      const report = emptyReport();
      await this.#stopPlugins(plan.stop, report);
      const previous = this.#config;
      this.#config = config;
      this.#graph = graph;
      this.#order = graph.order();
      this.#enabled = new Set(plan.enabled);
      this.#declareProviders();
      for (const name of this.#order.filter((n) => plan.restart.includes(n))) await this.#restart(name, previous, report);
      await this.#startPlugins(plan.start, report, { abortOnFailure: false });
      if (plan.needsRestart.length > 0) report.needsRestart = plan.needsRestart;
      this.#logger.info({ report }, 'Config reloaded.');
      return report;
    });
  }

  /** True when every enabled plugin has started. */
  ready(): boolean {
    for (const name of this.#enabled) if (this.#runtimes.get(name)?.state !== 'started') return false;
    return true;
  }

  /** The Hono apps of started plugins, in start order. */
  routes(): { plugin: string; app: Hono; requests: RequestCounter | undefined }[] {
    const routes: { plugin: string; app: Hono; requests: RequestCounter | undefined }[] = [];
    for (const name of this.#order) {
      const runtime = this.#runtimes.get(name);
      if (runtime?.state === 'started') routes.push({ plugin: name, app: runtime.http, requests: this.#requests.get(runtime) });
    }
    return routes;
  }

  plugins(): PluginInfo[] {
    return [...this.#config.plugins.values()].map((p) =>
      pluginInfo(p, { runtime: this.#runtimes.get(p.name), enabled: this.#enabled.has(p.name), graph: this.#graph }),
    );
  }

  services(): ServiceInfo[] {
    return this.registry.list();
  }

  tasks(): TaskStatus[] {
    return this.scheduler.list();
  }

  onServiceEvent(listener: ServiceEventListener): () => void {
    return this.registry.on(listener);
  }

  async #readConfig(): Promise<LoadedConfig> {
    if (!this.#options.loadConfig) {
      throw new PlugboardError('invalidState', 'This kernel was made without loadConfig, so reload() needs the new config passed in.');
    }
    return this.#options.loadConfig();
  }

  #loaded(name: string): LoadedPlugin {
    const plugin = this.#config.plugins.get(name);
    if (!plugin && this.#config.unresolved.includes(name)) {
      throw new PlugboardError(
        'pluginNotFound',
        `Plugin '${name}' is in config file '${this.#config.path}' but could not be loaded (not found, not a plugin, or not for this core). Run 'plugboard config check' with plugins.${name}.enabled: true to see why.`,
        { details: { plugin: name } },
      );
    }
    if (!plugin) {
      throw new PlugboardError(
        'invalidArgument',
        `There is no plugin '${name}' in config file '${this.#config.path}'. Add it under plugins.${name} (with enabled: false to keep it off until enabled), then reload the config.`,
        { details: { plugin: name } },
      );
    }
    return plugin;
  }

  #runningNames(): string[] {
    return [...this.#runtimes.values()].filter((r) => r.state === 'started' || r.state === 'starting').map((r) => r.name);
  }

  #buildGraph(enabled: Iterable<string>): DependencyGraph {
    return graphOfConfig(this.#config, enabled);
  }

  #declareProviders(): void {
    for (const { refId, plugin } of this.#declared) this.registry.undeclare(refId, plugin);
    this.#declared = [];
    for (const p of this.#config.plugins.values()) {
      for (const ref of p.definition.provides ?? []) {
        this.registry.declare(ref, p.name);
        this.#declared.push({ refId: ref.id, plugin: p.name });
      }
    }
  }

  #deps(): RuntimeDeps {
    return {
      registry: this.registry,
      scheduler: this.scheduler,
      logger: this.#logger,
      knownRefIds: () => knownRefIds(this.#config),
      beforeSetup: this.#options.beforeSetup,
    };
  }

  /** Starts `names` level by level; a plugin whose dependency did not start is skipped. */
  async #startPlugins(names: string[], report: ChangeReport, options: { abortOnFailure: boolean }): Promise<void> {
    const graph = this.#graph!;
    this.#order = graph.order();
    const wanted = new Set(names);
    const deps = this.#deps();
    const fatal: Error[] = [];
    for (const level of graph.levels()) {
      const starting = level.filter((n) => wanted.has(n) && this.#runtimes.get(n)?.state !== 'started');
      await Promise.all(
        starting.map(async (name) => {
          const plugin = this.#loaded(name);
          const blocked = graph.dependenciesOf(name).find((d) => this.#runtimes.get(d.plugin)?.state !== 'started');
          const runtime = new PluginRuntime(plugin, deps);
          this.#requests.set(runtime, new RequestCounter());
          this.#runtimes.set(name, runtime);
          try {
            if (blocked) {
              runtime.state = 'failed';
              throw new PlugboardError(
                'missingDependency',
                `Plugin '${name}' was not started because plugin '${blocked.plugin}', which it needs (${blocked.reason}), is not running.`,
              );
            }
            await runtime.start(plugin.startTimeoutMs ?? this.#config.kernel.startTimeoutMs);
            report.started.push(name);
            this.#metrics.pluginStarted(name, runtime.startDurationMs ?? 0);
            this.#logger.info(
              { plugin: name, version: plugin.definition.version, ms: Math.round(runtime.startDurationMs ?? 0) },
              `Started plugin '${name}' ${plugin.definition.version} in ${Math.round(runtime.startDurationMs ?? 0)} ms.`,
            );
          } catch (err) {
            runtime.error = errorMessage(err);
            report.failed.push({ plugin: name, error: runtime.error });
            this.#logger.error({ err, plugin: name }, runtime.error);
            if (options.abortOnFailure && plugin.onFailure === 'abort') fatal.push(err as Error);
          }
        }),
      );
      if (fatal.length > 0) break;
    }
    if (fatal.length === 1) throw fatal[0];
    if (fatal.length > 1) {
      const names = report.failed.map((f) => f.plugin);
      throw new AggregateError(fatal, `Plugins ${quoteList(names)} failed to start: ${fatal.map((e) => e.message).join(' ')}`);
    }
  }

  /**
   * Restarts a running plugin make-before-break, as a provider swap does: the new instance starts
   * beside the old one (migrations first, as for any start), its providers registered at the same
   * rankings wait below the old ones (ties go to the oldest), and its tasks are held. Then, in one
   * step, routes switch to the new instance's app and the old providers are withdrawn, so every
   * call goes to the new ones; the old instance drains (its service calls and the requests its
   * app is handling, up to kernel.drainTimeout), stops, and the new tasks begin. When the
   * new instance fails to start, the old one keeps running with its previous section.
   */
  async #restart(name: string, previous: LoadedConfig, report: ChangeReport): Promise<void> {
    const old = this.#runtimes.get(name)!;
    const plugin = this.#loaded(name);
    const tasks = new HeldTasks(name);
    const next = new PluginRuntime(plugin, { ...this.#deps(), scheduler: { forPlugin: () => tasks } });
    this.#requests.set(next, new RequestCounter());
    try {
      await next.start(plugin.startTimeoutMs ?? this.#config.kernel.startTimeoutMs);
    } catch (err) {
      // What runs is the previous section, so the next reload compares against that one.
      const running = previous.plugins.get(name);
      if (running !== undefined) this.#config.plugins.set(name, running);
      const error = `${errorMessage(err)} Plugin '${name}' keeps running with its previous config.`;
      report.failed.push({ plugin: name, error });
      this.#logger.error({ err, plugin: name }, error);
      return;
    }
    // Synchronous, so no request or call sees the new routes with the old providers or the reverse.
    this.#runtimes.set(name, next);
    // The old providers' calls and the old app's requests drain side by side, under one bound.
    const drainMs = this.#config.kernel.drainTimeoutMs;
    const [, left = 0] = await Promise.all([old.withdrawProviders(), this.#requests.get(old)?.idle(drainMs)]);
    if (left > 0) {
      this.#logger.warn(
        { plugin: name, inFlight: left },
        `The old instance of plugin '${name}' still has ${left} request(s) running after ${drainMs} ms; stopping it anyway. Raise kernel.drainTimeout if requests take longer.`,
      );
    }
    // stop() has stopped the old instance's tasks even if its stop hooks overran, so the plugin's
    // task names are free; a task the scheduler still refuses is reported, not thrown.
    const errors = await old.stop(this.#config.plugins.get(name)?.stopTimeoutMs ?? this.#config.kernel.stopTimeoutMs);
    for (const err of tasks.activate(this.scheduler.forPlugin(name, this.#logger.child({ plugin: name })))) {
      this.#logger.error({ err, plugin: name }, err.message);
      errors.push(err);
    }
    report.restarted.push(name);
    if (errors.length > 0) report.failed.push({ plugin: name, error: errors.map((e) => e.message).join('; ') });
    this.#metrics.pluginStarted(name, next.startDurationMs ?? 0);
    this.#logger.info(
      { plugin: name, version: plugin.definition.version, ms: Math.round(next.startDurationMs ?? 0) },
      `Restarted plugin '${name}' ${plugin.definition.version}; the new instance started in ${Math.round(next.startDurationMs ?? 0)} ms beside the old one.`,
    );
  }

  /** Stops `names` (those running) dependents first, one at a time. */
  async #stopPlugins(names: string[], report: ChangeReport): Promise<void> {
    const wanted = new Set(names);
    const order = this.#order.filter((n) => wanted.has(n)).reverse();
    for (const n of names) if (!order.includes(n)) order.push(n);
    for (const name of order) {
      const runtime = this.#runtimes.get(name);
      if (!runtime || (runtime.state !== 'started' && runtime.state !== 'starting')) continue;
      const plugin = this.#config.plugins.get(name);
      const errors = await runtime.stop(plugin?.stopTimeoutMs ?? this.#config.kernel.stopTimeoutMs);
      report.stopped.push(name);
      if (errors.length > 0) report.failed.push({ plugin: name, error: errors.map((e) => e.message).join('; ') });
      this.#logger.info({ plugin: name }, `Stopped plugin '${name}'.`);
    }
  }
}

function emptyReport(): ChangeReport {
  return { started: [], stopped: [], restarted: [], failed: [] };
}
