import { Hono } from 'hono';
import type { Logger } from 'pino';
import { contextTokens } from '@plugboard/plugin-api';
import { PluginContainer } from '../di/PluginContainer.js';
import { PlugboardError } from '@plugboard/plugin-api';
import type { PluginContext, PluginState, ProvideOptions } from '@plugboard/plugin-api';
import type { ServiceRegistry } from '../services/ServiceRegistry.js';
import type { ProviderRegistration, ServiceRef } from '@plugboard/plugin-api';
import type { ServiceEventListener } from '@plugboard/plugin-api';
import type { PluginTaskScope, TaskScheduler } from '../tasks/TaskScheduler.js';
import type { PluginTasks, TaskOptions } from '@plugboard/plugin-api';
import { createForwardingMeter } from '../telemetry/ForwardingMeter.js';
import { createForwardingTracer } from '../telemetry/ForwardingTracer.js';
import { errorMessage } from '../util/errorMessage.js';
import { withTimeout } from '../util/withTimeout.js';
import type { LoadedPlugin } from './loadConfig.js';

/** What a runtime needs from the kernel. */
export interface RuntimeDeps {
  registry: ServiceRegistry;
  /** Only `forPlugin`: a restart gives the new instance tasks held until the old one stops. */
  scheduler: Pick<TaskScheduler, 'forPlugin'>;
  logger: Logger;
  knownRefIds: () => Iterable<string>;
  /** Runs before setup, outside the start timeout: the app host runs migrations here. */
  beforeSetup?: (plugin: LoadedPlugin, logger: Logger) => Promise<void>;
}

interface Undo {
  what: string;
  run: () => unknown;
}

/**
 * One start of one plugin: builds its context, runs setup, and records everything setup
 * registered so that stop undoes exactly that, last first. A restart makes a new runtime.
 */
export class PluginRuntime {
  state: PluginState = 'stopped';
  readonly http = new Hono();
  startedAt?: Date;
  startDurationMs?: number;
  error?: string;

  readonly #plugin: LoadedPlugin;
  readonly #deps: RuntimeDeps;
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  readonly #undo: Undo[] = [];
  readonly #registrations: ProviderRegistration<object>[] = [];
  /** This start's `ctx.tasks`, which `stop()` stops even when the stop hooks overrun their timeout. */
  #tasks: PluginTaskScope | undefined;

  constructor(plugin: LoadedPlugin, deps: RuntimeDeps) {
    this.#plugin = plugin;
    this.#deps = deps;
    this.#logger = deps.logger.child({ plugin: plugin.name });
  }

  get name(): string {
    return this.#plugin.name;
  }

  /** Runs migrations and setup; on failure undoes what setup registered and throws `pluginStartFailed`. */
  async start(timeoutMs: number): Promise<void> {
    const { name, definition } = this.#plugin;
    this.state = 'starting';
    const began = performance.now();
    try {
      await this.#deps.beforeSetup?.(this.#plugin, this.#logger);
      const ctx = this.#context();
      await withTimeout(
        Promise.resolve().then(() => definition.setup(ctx)),
        timeoutMs,
        `Plugin '${name}' did not finish starting within ${timeoutMs} ms. Find what its setup waits for, or raise plugins.${name}.startTimeout.`,
      );
    } catch (err) {
      this.error = errorMessage(err);
      // Failed before undoing, so a setup still running past its timeout cannot register more.
      this.state = 'failed';
      this.#abort.abort();
      await this.#runUndo();
      throw new PlugboardError('pluginStartFailed', `Plugin '${name}' failed to start: ${this.error}`, {
        cause: err,
        details: { plugin: name },
      });
    }
    this.startDurationMs = performance.now() - began;
    this.startedAt = new Date();
    this.state = 'started';
  }

  /**
   * Undoes everything the plugin registered, last first. Never throws: problems are logged and
   * returned, so one plugin's faulty stop hook cannot keep the others from stopping.
   */
  async stop(timeoutMs: number): Promise<Error[]> {
    if (this.state === 'stopped' || this.state === 'failed') return [];
    const name = this.#plugin.name;
    this.state = 'stopping';
    this.#abort.abort();
    let errors: Error[];
    try {
      errors = await withTimeout(
        this.#runUndo(),
        timeoutMs,
        `Plugin '${name}' did not finish stopping within ${timeoutMs} ms. Find the stop hook that hangs, or raise plugins.${name}.stopTimeout.`,
      );
    } catch (err) {
      errors = [err as Error];
    }
    // The undo may still be running past its timeout; tasks are stopped here whatever it does, so
    // none of this start runs on once stop() returns, and its task names are free for the next start.
    await this.#tasks?.stopAll();
    for (const err of errors) this.#logger.error({ err }, `Plugin '${name}' did not stop cleanly: ${err.message}`);
    this.error = errors.length > 0 ? errors.map((e) => e.message).join('; ') : undefined;
    this.state = 'stopped';
    return errors;
  }

  /**
   * Withdraws the providers this start registered, ahead of `stop()`; resolves once their calls
   * in flight drained. A restart calls it when the new instance's providers are registered, so
   * consumers move to those before the old instance's stop hooks run.
   */
  async withdrawProviders(): Promise<void> {
    await Promise.all(this.#registrations.map((r) => r.unregister()));
  }

  async #runUndo(): Promise<Error[]> {
    const errors: Error[] = [];
    while (this.#undo.length > 0) {
      const undo = this.#undo.pop()!;
      try {
        await undo.run();
      } catch (err) {
        errors.push(
          new PlugboardError('pluginStopFailed', `Plugin '${this.#plugin.name}' failed to ${undo.what}: ${errorMessage(err)}`, {
            cause: err,
          }),
        );
      }
    }
    return errors;
  }

  /** Refuses registrations once the plugin failed or is stopping: nothing would undo them. */
  #assertLive(action: string): void {
    if (this.state !== 'starting' && this.state !== 'started') {
      throw new PlugboardError(
        'invalidState',
        `Plugin '${this.#plugin.name}' tried to ${action} while ${this.state}. Register everything in setup, and check ctx.signal in async work.`,
      );
    }
  }

  #register(what: string, run: () => unknown): void {
    this.#assertLive(what);
    this.#undo.push({ what, run });
  }

  #context(): PluginContext<unknown> {
    const { name, definition, config } = this.#plugin;
    const { registry, scheduler } = this.#deps;
    const logger = this.#logger;
    const meter = createForwardingMeter(name, definition.version);
    // First in, so it runs last: stop hooks may still report through the plugin's gauges.
    this.#register('close its meter', () => meter.close());
    const tracer = createForwardingTracer(name, definition.version);
    const declaredProvides = new Set((definition.provides ?? []).map((r) => r.id));
    const container = new PluginContainer({
      plugin: name,
      registry,
      declared: new Set([
        ...(definition.consumes ?? []).map((r) => r.id),
        ...(definition.optionalConsumes ?? []).map((r) => r.id),
        ...declaredProvides,
      ]),
      knownRefIds: this.#deps.knownRefIds(),
      values: new Map<symbol, unknown>([
        [contextTokens.config, config],
        [contextTokens.logger, logger],
        [contextTokens.meter, meter],
        [contextTokens.tracer, tracer],
      ]),
    });

    const pluginTasks = scheduler.forPlugin(name, logger);
    this.#tasks = pluginTasks;
    this.#register('stop its tasks', () => pluginTasks.stopAll());
    const tasks: PluginTasks = {
      schedule: (options: TaskOptions) => {
        this.#assertLive(`schedule task '${options.name}'`);
        const handle = pluginTasks.schedule(options);
        this.#register(`cancel task '${options.name}'`, () => handle.cancel());
        return handle;
      },
      list: () => pluginTasks.list(),
    };

    return {
      name,
      config,
      logger,
      meter,
      tracer,
      http: this.http,
      tasks,
      signal: this.#abort.signal,
      get: <T extends object>(ref: ServiceRef<T>) => container.get(ref),
      create: (cls) => container.create(cls),
      provide: <T extends object>(ref: ServiceRef<T>, impl: T, options: ProvideOptions = {}) => {
        if (!declaredProvides.has(ref.id)) {
          throw new PlugboardError(
            'serviceUndeclared',
            `Plugin '${name}' provided service '${ref.id}' without declaring it. Add it to 'provides' in the plugin's definePlugin({...}).`,
            { details: { plugin: name, ref: ref.id } },
          );
        }
        this.#assertLive(`provide service '${ref.id}'`);
        const registration = registry.register(ref, impl, { owner: name, ...options });
        this.#registrations.push(registration);
        this.#register(`withdraw its provider of '${ref.id}'`, () => registration.unregister());
        return registration;
      },
      next: <T extends object>(ref: ServiceRef<T>) => {
        if (!declaredProvides.has(ref.id)) {
          throw new PlugboardError(
            'serviceUndeclared',
            `Plugin '${name}' asked for the provider below its own of service '${ref.id}', which it does not provide. Add it to 'provides' in the plugin's definePlugin({...}) to decorate it, or use ctx.get for a service it only consumes.`,
            { details: { plugin: name, ref: ref.id } },
          );
        }
        return registry.below(ref, name);
      },
      onServiceEvent: (listener: ServiceEventListener) => {
        this.#assertLive('subscribe to service events');
        const off = registry.on(listener);
        this.#register('unsubscribe from service events', off);
      },
      onStop: (fn) => this.#register('run a stop hook', fn),
    };
  }
}
