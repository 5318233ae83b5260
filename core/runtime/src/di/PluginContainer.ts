/**
 * A plugin's own inversify container. It sees the live handles of the refs the plugin declared
 * (and core's), the values bound by symbol for it, and the classes it builds, nothing else: a
 * known ref the plugin did not declare resolves to our `serviceUndeclared` error, not to a handle.
 */
import { Container, type Newable } from 'inversify';
import { PlugboardError } from '@plugboard/plugin-api';
import { CORE_SERVICE_IDS } from '@plugboard/plugin-api/internal';
import type { ServiceRef } from '@plugboard/plugin-api';
import type { ServiceRegistry } from '../services/ServiceRegistry.js';

export interface PluginContainerOptions {
  plugin: string;
  registry: ServiceRegistry;
  /** ref ids the plugin declared (consumes, optionalConsumes, provides). Core refs are always allowed. */
  declared: ReadonlySet<string>;
  /** Every ref id known to the kernel (all plugins' declarations + core), so undeclared use of a known ref gives our error rather than inversify's. */
  knownRefIds: Iterable<string>;
  /** Values bound by symbol in this scope, e.g. contextTokens.config -> the plugin's config. */
  values?: ReadonlyMap<symbol, unknown>;
}

const MISSING_BINDING = /No bindings found for service: "([^"]*)"/;

/**
 * @example
 * const container = new PluginContainer({ plugin: 'alerts', registry, declared, knownRefIds, values });
 * const metrics = container.get(metricsReaderRef);   // live handle
 * const engine = container.create(RuleEngine);       // @injectable class, singleton in this container
 */
export class PluginContainer {
  readonly #plugin: string;
  readonly #registry: ServiceRegistry;
  readonly #allowed: ReadonlySet<string>;
  readonly #container: Container;

  constructor(options: PluginContainerOptions) {
    this.#plugin = options.plugin;
    this.#registry = options.registry;
    this.#allowed = new Set([...options.declared, ...CORE_SERVICE_IDS]);
    // Singleton by default: two `create` calls of one class, and every class injecting it, share
    // one instance within this plugin. Autobind lets a class be injected by its class alone.
    this.#container = new Container({ autobind: true, defaultScope: 'Singleton' });
    for (const id of this.#allowed) {
      this.#container.bind(id).toDynamicValue(() => this.#registry.handle({ id }));
    }
    for (const id of options.knownRefIds) {
      if (this.#allowed.has(id)) continue;
      this.#container.bind(id).toDynamicValue(() => {
        throw this.#undeclared(id);
      });
    }
    for (const [token, value] of options.values ?? []) {
      this.#container.bind(token).toConstantValue(value);
    }
  }

  /** The live handle of `ref`, if the plugin declared it or it is a core service. */
  get<T extends object>(ref: ServiceRef<T>): T {
    if (!this.#allowed.has(ref.id)) throw this.#undeclared(ref.id);
    return this.#registry.handle(ref);
  }

  /** Builds (once per scope) an `@injectable()` class, resolving its `@inject` parameters. */
  create<T>(cls: Newable<T>): T {
    try {
      return this.#container.get(cls);
    } catch (err) {
      throw this.#translate(err, cls);
    }
  }

  #undeclared(id: string): PlugboardError {
    return new PlugboardError(
      'serviceUndeclared',
      `Plugin '${this.#plugin}' used service '${id}' without declaring it. Add it to 'consumes' in the plugin's definePlugin({...}).`,
      { details: { plugin: this.#plugin, refId: id } },
    );
  }

  /** Surfaces our own error when inversify passes it up, and names the plugin in inversify's. */
  #translate(err: unknown, cls: Newable<unknown>): unknown {
    for (let cause: unknown = err; cause instanceof Error; cause = cause.cause) {
      if (PlugboardError.is(cause)) return cause;
    }
    const message = err instanceof Error ? err.message : String(err);
    const missing = MISSING_BINDING.exec(message);
    if (missing !== null) {
      const id = missing[1] ?? '';
      return new PlugboardError(
        'serviceUndeclared',
        `Plugin '${this.#plugin}' injects '${id}' into '${cls.name}', but no plugin declares a service with that id and core has none. Check the id given to @inject, or enable the plugin that provides it and add its ref to 'consumes'.`,
        { cause: err, details: { plugin: this.#plugin, refId: id } },
      );
    }
    return new PlugboardError(
      'invalidArgument',
      `Plugin '${this.#plugin}' could not create class '${cls.name}': ${message} Mark it @injectable() and give every constructor parameter an @inject(token).`,
      { cause: err, details: { plugin: this.#plugin } },
    );
  }
}
