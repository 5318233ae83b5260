import type { ServiceRef } from './ServiceRef.js';

/** Options for {@link ServiceRegistry.register}. */
export interface ProviderOptions {
  /** Higher wins; ties go to the provider registered first. Default 0. */
  ranking?: number;
  /** Who registers it: a plugin name, or `'core'`. Shown by the admin API and in errors. */
  owner: string;
  /**
   * Runs once the provider is withdrawn and its in-flight calls have drained (or the drain
   * timed out). Close pools, flush buffers, clear timers here.
   */
  dispose?: () => void | Promise<void>;
}

/** What a registration gives back: the way to withdraw or replace the provider. */
export interface ProviderRegistration<T> {
  readonly refId: string;
  readonly owner: string;
  readonly ranking: number;
  /**
   * Withdraws the provider: new calls go to the next best provider at once; resolves after the
   * provider's in-flight calls have finished (or the drain timeout passed) and `dispose` ran.
   */
  unregister(): Promise<void>;
  /**
   * Swaps in a new implementation at the same ranking. New calls go to `impl` at once; the old
   * one drains and is disposed as by `unregister`.
   */
  replace(impl: T, dispose?: () => void | Promise<void>): Promise<void>;
}

/** A provider as the admin API and dashboard show it. */
export interface ProviderInfo {
  owner: string;
  ranking: number;
  /** Calls currently running on this provider. */
  inFlight: number;
  registeredAt: Date;
}

export interface ServiceInfo {
  id: string;
  description?: string;
  /** Best first; the first one receives new calls. */
  providers: ProviderInfo[];
  /** Plugins that declare they provide this ref, whether running or not. */
  declaredBy: string[];
}

/**
 * Registry events.
 * - `registered`: a provider was added (it may or may not be the best one).
 * - `replaced`: the best provider of a ref changed (`previous` and/or `current` may be absent
 *   when the ref went from no provider to one, or from one to none).
 * - `unregistering`: a provider was withdrawn and is draining.
 */
export type ServiceEvent =
  | { type: 'registered'; refId: string; provider: ProviderInfo }
  | { type: 'replaced'; refId: string; previous?: ProviderInfo; current?: ProviderInfo }
  | { type: 'unregistering'; refId: string; provider: ProviderInfo };

export type ServiceEventListener = (event: ServiceEvent) => void;

/** The registry's public face, as plugins and the app host see it. */
export interface ServiceRegistryApi {
  register<T extends object>(ref: ServiceRef<T>, impl: T, options: ProviderOptions): ProviderRegistration<T>;
  /**
   * A stable live handle for `ref`: each call goes to the provider that is best at the moment
   * of the call. Handles never need re-resolving; the same object is returned for a ref each time.
   */
  handle<T extends object>(ref: ServiceRef<T>): T;
  /** True when at least one provider is registered. */
  has(ref: ServiceRef<unknown> | string): boolean;
  /** Subscribes to registry events; returns the unsubscribe function. */
  on(listener: ServiceEventListener): () => void;
  list(): ServiceInfo[];
}
