/**
 * The registry's bookkeeping for one ref: its providers (best first), the instance that receives
 * new calls, and the plugins that declare they provide it. Kept apart from the registry so the
 * live handle can read it without knowing about registration.
 */
import { PlugboardError } from '@plugboard/plugin-api';
import { quoteList } from '@plugboard/plugin-api/internal';
import type { ProviderInfo } from '@plugboard/plugin-api';

/**
 * One implementation of a provider. A slot holds one at a time; `replace` gives it a new one
 * while the old one drains, so in-flight calls are counted per instance, not per slot.
 */
export interface ProviderInstance {
  readonly impl: object;
  readonly dispose: (() => void | Promise<void>) | undefined;
  inFlight: number;
  /** Set while the instance drains; called when `inFlight` drops to 0. */
  onDrained: (() => void) | undefined;
  /** Ends one call. Made once per instance so a call through a handle allocates no closure. */
  readonly release: () => void;
}

/** A registered provider: its place in the ranking and its current implementation. */
export interface ProviderSlot {
  readonly owner: string;
  readonly ranking: number;
  /** Registration order; breaks ranking ties in favour of the oldest. */
  readonly seq: number;
  readonly registeredAt: Date;
  current: ProviderInstance;
  /** Set once the slot is withdrawn; a second `unregister` returns it. */
  withdrawal: Promise<void> | undefined;
}

export interface RefEntry {
  readonly id: string;
  description: string | undefined;
  /** Best first: highest ranking, then lowest `seq`. */
  readonly slots: ProviderSlot[];
  /** `slots[0].current`, precomputed: the only thing a call through a handle reads. */
  active: ProviderInstance | undefined;
  readonly declaredBy: Set<string>;
  handle: object | undefined;
}

export function createEntry(id: string, description: string | undefined): RefEntry {
  return { id, description, slots: [], active: undefined, declaredBy: new Set(), handle: undefined };
}

export function createInstance(impl: object, dispose: (() => void | Promise<void>) | undefined): ProviderInstance {
  const instance: ProviderInstance = {
    impl,
    dispose,
    inFlight: 0,
    onDrained: undefined,
    release: () => {
      instance.inFlight -= 1;
      if (instance.inFlight === 0 && instance.onDrained !== undefined) instance.onDrained();
    },
  };
  return instance;
}

/** Inserts `slot` after every slot ranked at least as high, which keeps ties in registration order. */
export function insertSlot(entry: RefEntry, slot: ProviderSlot): void {
  const index = entry.slots.findIndex((other) => other.ranking < slot.ranking);
  if (index === -1) entry.slots.push(slot);
  else entry.slots.splice(index, 0, slot);
}

export function providerInfo(slot: ProviderSlot, instance: ProviderInstance = slot.current): ProviderInfo {
  return {
    owner: slot.owner,
    ranking: slot.ranking,
    inFlight: instance.inFlight,
    registeredAt: slot.registeredAt,
  };
}

/** The error of a call through a handle whose ref has no provider, saying which plugin to enable. */
export function unavailableError(entry: RefEntry): PlugboardError {
  const plugins = [...entry.declaredBy].sort();
  const details = { refId: entry.id, declaredBy: plugins };
  const prefix = `No provider is registered for service '${entry.id}'`;
  if (plugins.length === 0) {
    return new PlugboardError(
      'serviceUnavailable',
      `${prefix}, and no plugin declares it in 'provides'. Install and enable a plugin that provides it.`,
      { details },
    );
  }
  const advice =
    plugins.length === 1
      ? `It is provided by plugin '${plugins[0]}'; enable it under plugins.${plugins[0]} in the config.`
      : `It is provided by plugins ${quoteList(plugins)}; enable one of them under plugins.<name> in the config.`;
  return new PlugboardError('serviceUnavailable', `${prefix}. ${advice}`, { details });
}
