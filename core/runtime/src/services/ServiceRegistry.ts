/**
 * The service registry: maps each ref to its providers, ranked, and hands out live handles that
 * always call the best one. Withdrawing a provider takes it out of the ranking at once, lets the
 * calls it already accepted finish (up to a drain timeout), and only then disposes it.
 */
import { type Logger, pino } from 'pino';
import { PlugboardError } from '@plugboard/plugin-api';
import { drainInstance } from './drain.js';
import { createLiveHandle } from './LiveHandle.js';
import {
  type BelowTarget,
  type ProviderInstance,
  type ProviderSlot,
  type RefEntry,
  createEntry,
  createInstance,
  insertSlot,
  noneBelowError,
  providerInfo,
  refreshTargets,
  unavailableError,
} from './RefEntry.js';
import type { ServiceRef } from '@plugboard/plugin-api';
import type { ProviderOptions, ProviderRegistration, ServiceEvent, ServiceEventListener, ServiceInfo } from '@plugboard/plugin-api';
import type { ServiceRegistryApi } from '@plugboard/plugin-api/internal';

export interface ServiceRegistryOptions {
  /** How long a withdrawn provider's in-flight calls may take before dispose runs anyway. Default 10_000. */
  drainTimeoutMs?: number;
  /** A drain timeout is logged as warn with refId, owner, inFlight; dispose and listener errors as error. */
  logger?: Logger;
}

type Dispose = (() => void | Promise<void>) | undefined;

/**
 * @example
 * const registry = new ServiceRegistry({ logger });
 * const writer = registry.handle(conversationWriterRef);   // stable, usable before any provider
 * const reg = registry.register(conversationWriterRef, directWriter, { owner: 'conversations' });
 * await writer.write(conversation);                         // goes to directWriter
 * registry.register(conversationWriterRef, batchedWriter, { owner: 'batching', ranking: 10 });
 * await writer.write(conversation);                         // goes to batchedWriter
 */
export class ServiceRegistry implements ServiceRegistryApi {
  readonly #entries = new Map<string, RefEntry>();
  readonly #listeners = new Set<ServiceEventListener>();
  readonly #drainTimeoutMs: number;
  readonly #logger: Logger;
  #seq = 0;

  constructor(options: ServiceRegistryOptions = {}) {
    this.#drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
    this.#logger = options.logger ?? pino({ name: 'plugboard.registry' });
  }

  register<T extends object>(ref: ServiceRef<T>, impl: T, options: ProviderOptions): ProviderRegistration<T> {
    const ranking = options.ranking ?? 0;
    if (!Number.isFinite(ranking)) {
      throw new PlugboardError(
        'invalidArgument',
        `The provider of service '${ref.id}' registered by '${options.owner}' has ranking ${String(ranking)}; give a finite number.`,
      );
    }
    if (impl === null || (typeof impl !== 'object' && typeof impl !== 'function')) {
      throw new PlugboardError(
        'invalidArgument',
        `The provider of service '${ref.id}' registered by '${options.owner}' is not an object; register an object whose methods implement the service.`,
      );
    }
    const entry = this.#entry(ref);
    const slot: ProviderSlot = {
      owner: options.owner,
      ranking,
      seq: this.#seq++,
      registeredAt: new Date(),
      current: createInstance(impl, options.dispose),
      withdrawal: undefined,
    };
    const previousBest = entry.slots[0];
    insertSlot(entry, slot);
    // Before any listener runs, so a listener calling through the handle sees the new ranking.
    refreshTargets(entry);
    this.#emit({ type: 'registered', refId: entry.id, provider: providerInfo(slot) });
    this.#bestMayHaveChanged(entry, previousBest);
    return {
      refId: entry.id,
      owner: slot.owner,
      ranking,
      unregister: () => this.#withdraw(entry, slot),
      replace: (next: T, dispose?: () => void | Promise<void>) => this.#replace(entry, slot, next, dispose),
    };
  }

  handle<T extends object>(ref: ServiceRef<T>): T {
    const entry = this.#entry(ref);
    entry.handle ??= createLiveHandle<T>(entry, {
      unavailable: () => unavailableError(entry),
      printed: `[live handle of service '${entry.id}', no provider]`,
    });
    return entry.handle as T;
  }

  /**
   * A live handle of the provider of `ref` just below `owner`'s own: the best provider of another
   * owner ranked below the lowest of `owner`'s providers of `ref` (below where it last stood once
   * those are withdrawn, so calls still draining on them go on down; the best of another owner if
   * it never had one). A decorator calls through it to delegate, so a chain of decorators runs
   * each once, top down, and cannot loop. Like every handle it follows registrations and swaps
   * below; a call with nothing below throws `serviceUnavailable`. The same object for the same
   * ref and owner every time. Plugins reach it as `ctx.next(ref)`.
   *
   * @example
   * registry.register(writerRef, directWriter, { owner: 'conversations' });
   * const below = registry.below(writerRef, 'audit');
   * registry.register(writerRef, { write: async (c) => { await log(c.id); return below.write(c); } }, { owner: 'audit', ranking: 10 });
   */
  below<T extends object>(ref: ServiceRef<T>, owner: string): T {
    const entry = this.#entry(ref);
    let target = entry.below.get(owner);
    if (target === undefined) {
      const created: BelowTarget = { id: entry.id, owner, active: undefined, sync: undefined, floor: undefined, handle: undefined };
      target = created;
      entry.below.set(owner, created);
      refreshTargets(entry);
      created.handle = createLiveHandle<T>(created, {
        unavailable: () => noneBelowError(entry, owner),
        printed: `[live handle of the provider of service '${entry.id}' below plugin '${owner}', none]`,
      });
    }
    return target.handle as T;
  }

  has(ref: ServiceRef<unknown> | string): boolean {
    const entry = this.#entries.get(typeof ref === 'string' ? ref : ref.id);
    return entry !== undefined && entry.slots.length > 0;
  }

  on(listener: ServiceEventListener): () => void {
    // Wrapped so the same function subscribed twice gets two independent subscriptions.
    const subscription: ServiceEventListener = (event) => listener(event);
    this.#listeners.add(subscription);
    return () => {
      this.#listeners.delete(subscription);
    };
  }

  list(): ServiceInfo[] {
    const infos: ServiceInfo[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.slots.length === 0 && entry.declaredBy.size === 0) continue;
      infos.push({
        id: entry.id,
        ...(entry.description === undefined ? {} : { description: entry.description }),
        providers: entry.slots.map((slot) => providerInfo(slot)),
        declaredBy: [...entry.declaredBy].sort(),
      });
    }
    return infos.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Records that plugin `plugin` declares it provides `ref` (even if not running) — used in error messages and list(). */
  declare(ref: ServiceRef<unknown>, plugin: string): void {
    this.#entry(ref).declaredBy.add(plugin);
  }

  undeclare(refId: string, plugin: string): void {
    this.#entries.get(refId)?.declaredBy.delete(plugin);
  }

  #entry(ref: ServiceRef<unknown>): RefEntry {
    let entry = this.#entries.get(ref.id);
    if (entry === undefined) {
      entry = createEntry(ref.id, ref.description);
      this.#entries.set(ref.id, entry);
    } else if (entry.description === undefined && ref.description !== undefined) {
      entry.description = ref.description;
    }
    return entry;
  }

  #withdraw(entry: RefEntry, slot: ProviderSlot): Promise<void> {
    if (slot.withdrawal !== undefined) return slot.withdrawal;
    const previousBest = entry.slots[0];
    entry.slots.splice(entry.slots.indexOf(slot), 1);
    refreshTargets(entry);
    slot.withdrawal = this.#retire(entry.id, slot.owner, slot.current);
    this.#emit({ type: 'unregistering', refId: entry.id, provider: providerInfo(slot) });
    this.#bestMayHaveChanged(entry, previousBest);
    return slot.withdrawal;
  }

  #replace(entry: RefEntry, slot: ProviderSlot, impl: object, dispose: Dispose): Promise<void> {
    if (slot.withdrawal !== undefined) {
      return Promise.reject(
        new PlugboardError(
          'invalidState',
          `The provider of service '${entry.id}' registered by '${slot.owner}' was already withdrawn, so it cannot be replaced; register a new provider instead.`,
        ),
      );
    }
    const old = slot.current;
    slot.current = createInstance(impl, dispose);
    const isBest = entry.slots[0] === slot;
    refreshTargets(entry);
    const retired = this.#retire(entry.id, slot.owner, old);
    const previous = providerInfo(slot, old);
    this.#emit({ type: 'unregistering', refId: entry.id, provider: previous });
    // Every replacement announces the new implementation: `replaced` when it serves the calls,
    // `registered` when it waits below the best, so a view built from events keeps it.
    if (isBest) this.#emit({ type: 'replaced', refId: entry.id, previous, current: providerInfo(slot) });
    else this.#emit({ type: 'registered', refId: entry.id, provider: providerInfo(slot) });
    return retired;
  }

  /** Emits `replaced` when the head of the ranking is no longer `previousBest`. */
  #bestMayHaveChanged(entry: RefEntry, previousBest: ProviderSlot | undefined): void {
    const best = entry.slots[0];
    if (best === previousBest) return;
    this.#emit({
      type: 'replaced',
      refId: entry.id,
      ...(previousBest === undefined ? {} : { previous: providerInfo(previousBest) }),
      ...(best === undefined ? {} : { current: providerInfo(best) }),
    });
  }

  /** Drains then disposes a withdrawn instance. Never rejects. */
  async #retire(refId: string, owner: string, instance: ProviderInstance): Promise<void> {
    await drainInstance(instance, this.#drainTimeoutMs, (inFlight) => {
      this.#logger.warn(
        { refId, owner, inFlight },
        `The withdrawn provider of service '${refId}' registered by '${owner}' still has ${inFlight} call(s) running after ${this.#drainTimeoutMs} ms; disposing it anyway.`,
      );
    });
    if (instance.dispose === undefined) return;
    try {
      await instance.dispose();
    } catch (err) {
      this.#logger.error(
        { err, refId, owner },
        `Disposing the provider of service '${refId}' registered by '${owner}' failed; fix its dispose function.`,
      );
    }
  }

  #emit(event: ServiceEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.#logger.error(
          { err, refId: event.refId, event: event.type },
          `A listener of service event '${event.type}' for service '${event.refId}' threw; the registry carries on.`,
        );
      }
    }
  }
}
